import Foundation
import Testing
import TestSupport
@testable import Site

/// Lessons named in any script: their pages, links, search entries and sitemap.
@Suite("Slugs in any script")
struct UnicodeSlugTests {
    @Test("a lesson file named in Chinese builds to its own folder, linked as it is and percent-encoded in the sitemap")
    func chineseLesson() throws {
        let site = FixtureSite(
            lessons: [
                "01-intro.md": "---\ntitle: Intro\n---\n\nSee [the heatmaps](02-类激活图.md#热力图).\n",
                "02-类激活图.md": "---\ntitle: 类激活图\n---\n\n## 热力图\n\nText.\n",
                "03-über-cam.md": "---\ntitle: Über CAM\n---\n\nText.\n",
                "04-热力图.md": "---\ntitle: 热力图\nslug: heatmaps\n---\n\nText.\n",
            ], siteYAML: FixtureSite.siteYAML + "repository: https://github.com/you/site\n", trainCount: 16,
            testCount: 8)
        var options = buildOptions(site)
        options.baseURL = "https://example.org/cnn/"
        try SiteBuilder(options: options).build()
        let files = FixtureSite.tree(site.output)
        let page = try #require(files["类激活图/index.html"].map { String(decoding: $0, as: UTF8.self) })
        #expect(htmlProblems(page) == [])
        #expect(page.contains("<h2 id=\"热力图\">"))
        #expect(page.contains("<span lang=\"en\">1 min read</span>"))
        #expect(
            page.contains(
                "<a href=\"https://github.com/you/site/edit/main/Content/lessons/02-类激活图.md\" rel=\"nofollow\" lang=\"en\">Edit this page</a>"
            ))
        #expect(files["uber-cam/index.html"] != nil, "accented Latin letters fold to ASCII")
        #expect(files["heatmaps/index.html"] != nil, "front matter's slug names the folder")
        let intro = String(decoding: files["intro/index.html"]!, as: UTF8.self)
        // cmark percent-encodes link destinations; browsers decode them, the heading's id included.
        #expect(intro.contains("href=\"../%E7%B1%BB%E6%BF%80%E6%B4%BB%E5%9B%BE/#%E7%83%AD%E5%8A%9B%E5%9B%BE\""))
        #expect(intro.contains("href=\"../类激活图/\""), "the lesson list links the page")
        let sitemap = String(decoding: files["sitemap.xml"]!, as: UTF8.self)
        #expect(sitemap.contains("<loc>https://example.org/cnn/%E7%B1%BB%E6%BF%80%E6%B4%BB%E5%9B%BE/</loc>"))
        #expect(sitemap.contains("<loc>https://example.org/cnn/uber-cam/</loc>"))
        #expect(
            page.contains(
                "<link rel=\"canonical\" href=\"https://example.org/cnn/%E7%B1%BB%E6%BF%80%E6%B4%BB%E5%9B%BE/\">"))
    }
}
