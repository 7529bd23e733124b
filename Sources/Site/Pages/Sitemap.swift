import Foundation

/// `sitemap.xml` and `robots.txt`, written when the site's address (`base_url`) is known.
enum Sitemap {
    static func files(base: String, paths: [String]) -> [String: Data] {
        var xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset "
            + "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
        for path in paths { xml += "  <url><loc>\(HTML.escape(base + path.percentEncodedPath))</loc></url>\n" }
        return [
            "sitemap.xml": Data((xml + "</urlset>\n").utf8),
            "robots.txt": Data("User-agent: *\nAllow: /\nSitemap: \(base)sitemap.xml\n".utf8),
        ]
    }
}
