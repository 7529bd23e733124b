/// What a page's templates can use: `layout.mustache` reads the shared fields, each page
/// kind's template (`lesson`, `index`, `reference`, `404`) its own. README's Theme section
/// lists them.
struct PageContext: TemplateValues, Sendable {
    struct Site: TemplateValues {
        let title: String
        let description: String
        let author: String
        let language: String
        let footer: String?
    }

    struct NavItem: TemplateValues {
        let title: String
        let url: String
        /// nil for an unnumbered lesson (an appendix).
        let number: Int?
        let current: Bool
    }

    struct Page: TemplateValues {
        let title: String
        var summary: String?
        var number: Int?
        /// Whether the page has a playground figure, whose scripts only such pages load.
        var playground: Bool = false
        /// Whether the page has a feature-maps figure with a dot-product view.
        var featureDots: Bool = false
        /// The page scripts' sentences in the edition's language (JSON), on pages with a
        /// playground or a dot-product view.
        var scriptStrings: String?
        /// A lesson's reading time in minutes, and where to edit it (site.yml's repository).
        var readingMinutes: Int?
        var editLink: String?
        /// "Lesson 3" and "5 min read" in the edition's language.
        var kicker: String?
        var readingTime: String?
        /// On a page standing in for a missing translation: the note saying so, and the
        /// language the lesson is written in.
        var fallbackNote: String?
        var contentLanguage: String?
    }

    struct TOCEntry: TemplateValues {
        let text: String
        let id: String
        let sub: Bool
    }

    struct Link: TemplateValues {
        let title: String
        let url: String
    }

    struct LessonCard: TemplateValues {
        let title: String
        let summary: String
        let url: String
        let number: Int?
        let thumbnail: String?
        /// "Lesson 3" in the edition's language.
        var kicker = ""
    }

    /// The same page in another edition (the language switcher), or an `hreflang` alternate.
    struct LanguageLink: TemplateValues {
        let language: String
        let name: String
        let url: String
        let current: Bool
        /// The default edition's (`hreflang="x-default"` too).
        var isDefault = false
    }

    struct Value: TemplateValues {
        let name: String
        let meaning: String
    }

    // Every page.
    let site: Site
    /// The page's language (`lang`), its edition's home page, and its interface strings.
    var language = "en"
    var home = ""
    /// The edition's directive reference, relative to the output root (`zh-Hans/reference/`
    /// when the theme translates it, else the default edition's `reference/`).
    var referencePath = "reference/"
    var strings: [String: String] = InterfaceStrings.english
    /// The same page in every edition, for the language switcher (empty with one edition).
    var languages: [LanguageLink] = [] { didSet { hasLanguages = !languages.isEmpty } }
    private(set) var hasLanguages = false
    /// The editions that have this page in their own language, for `hreflang` links
    /// (absolute when `base_url` is set); the default edition's is also `x-default`.
    var alternates: [LanguageLink] = []
    /// The relative path from the page to the site root (`../`, or `/…/` on 404.html).
    let root: String
    let title: String
    let description: String
    /// Content-hashed asset paths by name (`style_css`, `site_js`).
    let assets: [String: String]
    let nav: [NavItem]
    let isHome: Bool
    let generator: String
    var canonical: String?
    /// Open Graph's kind of page: `article` for lessons, `website` for the rest.
    var ogType = "website"
    /// The absolute address of the page's card image (a PNG of one of its figures), known
    /// only when site.yml gives `base_url`.
    var socialImage: String?
    var extraHead: String?
    var searchIndex = ""
    var page: Page
    /// The page kind's own template, rendered; the layout places it.
    var body: String?

    // Lessons.
    var content: String?
    var toc: [TOCEntry] = []
    var hasToc = false
    var prev: Link?
    var next: Link?

    // The home page.
    var lessons: [LessonCard] = []
    var firstLesson: LessonCard?
    /// "Start with lesson 1: …" in the edition's language.
    var startLabel: String?

    // The directive reference.
    var directives: [DirectiveReference.Entry] = []
    var values: [Value] = []
    var isReference = false
}
