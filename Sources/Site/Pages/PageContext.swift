/// What a page's templates can use: `layout.mustache` reads the shared fields, each page
/// kind's template (`lesson`, `index`, `reference`, `404`) its own. README's Theme section
/// lists them.
struct PageContext: TemplateValues {
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
        let number: Int
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
        /// A lesson's reading time in minutes, and where to edit it (site.yml's repository).
        var readingMinutes: Int?
        var editLink: String?
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
        let number: Int
        let thumbnail: String?
    }

    struct Value: TemplateValues {
        let name: String
        let meaning: String
    }

    // Every page.
    let site: Site
    /// The relative path from the page to the site root (`../`, or `/…/` on 404.html).
    let root: String
    let title: String
    let description: String
    /// Content-hashed asset paths by name (`style_css`, `site_js`).
    let assets: [String: String]
    let nav: [NavItem]
    let isHome: Bool
    let generator: String
    let canonical: String?
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

    // The directive reference.
    var directives: [DirectiveReference.Entry] = []
    var values: [Value] = []
    var isReference = false
}
