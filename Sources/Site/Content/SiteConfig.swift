import Common
import CNN
import Foundation

/// `Content/site.yml`: what the whole site is called and how it is built.
///
///     title: How a CNN sees
///     description: Visualizing a convolutional network trained on MNIST.
///     author: The vizsite authors
///     language: en                          # the default edition's language
///     languages: [en, {code: zh-Hans, title: 卷积网络如何“看”}]   # optional: more editions
///     base_url: https://example.org/cnn/   # optional; enables sitemap.xml and canonical links
///     model: models/mnist-cnn.yml           # the model directives use unless they name another
///     data: data/mnist                      # the dataset they select images from, likewise
///     markdown: {unsafe: false, smart: true}
///     repository: https://github.com/you/cnn-site   # optional; lessons get an "Edit this page" link
///     repository_branch: main                       # optional, main by default
///     repository_content: Content                   # the content folder's path in the repository
///     deploy: {git: {branch: gh-pages}}             # where `vizsite deploy` publishes (DeployConfig)
public struct SiteConfig: Sendable, Equatable {
    public var title: String
    public var description: String
    public var author: String
    public var language: String
    public var baseURL: String?
    /// The default model spec, relative to the content folder.
    public var model: String
    /// The default dataset folder, relative to the content folder: MNIST's IDX files,
    /// CIFAR-10's batches or an image folder. Nil: `data/mnist`, the tutorial's own.
    public var data: String?
    /// The dataset directives use when neither they nor their lesson name one.
    public var defaultData: String { data ?? "data/mnist" }
    /// Raw HTML in lessons is kept (true) or omitted (false, the default).
    public var unsafeHTML: Bool
    /// Smart punctuation: curly quotes, en and em dashes, ellipses.
    public var smartPunctuation: Bool
    /// Extra text for the footer (escaped).
    public var footer: String?
    /// The site's source repository (GitHub, Gitea or Forgejo style), its branch and the
    /// content folder's path in it: lessons link to `<repository>/edit/<branch>/<content>/lessons/<file>`.
    public var repository: String?
    public var repositoryBranch = "main"
    public var repositoryContent = "Content"
    /// The site's languages, the default edition first (one, `language`, unless site.yml
    /// lists `languages`).
    public var editions: [Edition] = []
    /// Where `vizsite deploy` publishes the site, if site.yml says.
    public var deploy: DeployConfig?
    /// The default edition.
    public var defaultEdition: Edition { editions[0] }

    static let keys = [
        "title", "description", "author", "language", "base_url", "model", "data", "markdown", "footer", "repository",
        "repository_branch", "repository_content", "languages", "deploy",
    ]

    /// Where a reader edits lesson file `fileName` (`07-cam.md`), when the repository is named.
    public func editURL(lessonFile fileName: String) -> String? {
        repository.map { "\($0)/edit/\(repositoryBranch)/\(repositoryContent)/lessons/\(fileName)" }
    }

    public static func parse(_ text: String, file: String) throws(SourceError) -> SiteConfig {
        let top = try YAMLValue.parse(text, file: file).mapping()
        try top.checkKeys(keys, in: "site.yml")
        var config = SiteConfig(
            title: try top.required("title", in: "site.yml").string(),
            description: try top["description"]?.string() ?? "",
            author: try top["author"]?.string() ?? "",
            language: try top["language"]?.string() ?? "en",
            baseURL: nil,
            model: try top["model"]?.string() ?? "models/mnist-cnn.yml",
            data: try top["data"]?.string(),
            unsafeHTML: false, smartPunctuation: true,
            footer: try top["footer"]?.string())
        if let value = top["base_url"] {
            let url = try value.string()
            guard url.hasPrefix("https://") || url.hasPrefix("http://"), !url.contains(" "), !url.contains("\"") else {
                throw value.error("base_url must be an absolute http(s) URL, found '\(url)'")
            }
            config.baseURL = url.hasSuffix("/") ? url : url + "/"
        }
        if let value = top["repository"] {
            let url = try value.string()
            guard url.hasPrefix("https://") || url.hasPrefix("http://"), !url.contains(" "), !url.contains("\"") else {
                throw value.error("repository must be the repository's http(s) address, found '\(url)'")
            }
            config.repository = url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        config.repositoryBranch = try top["repository_branch"]?.string() ?? "main"
        config.repositoryContent = try top["repository_content"]?.string() ?? "Content"
        if !Edition.isLanguageTag(config.language) {
            throw top["language"]!.error("language must be a language tag such as en or pt-BR")
        }
        config.deploy = try top["deploy"].map { value throws(SourceError) in try DeployConfig.parse(value) }
        config.editions = try Edition.parse(top["languages"], language: top["language"], config: config)
        config.language = config.editions[0].language
        if let markdown = top["markdown"] {
            let options = try markdown.mapping()
            try options.checkKeys(["unsafe", "smart"], in: "markdown options")
            config.unsafeHTML = try options["unsafe"]?.bool() ?? false
            config.smartPunctuation = try options["smart"]?.bool() ?? true
        }
        return config
    }
}
