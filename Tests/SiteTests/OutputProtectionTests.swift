import Common
import Foundation
import Testing
import TestSupport

@testable import Site

/// `--output` names only a folder vizsite generated: a careless value (the content, the
/// project, its parent, an unset shell variable) is refused before anything is read, and
/// nothing of the project is touched.
@Suite("Output protection", .serialized)
struct OutputProtectionTests {
    let site = FixtureSite(lessons: ["01-first.md": "---\ntitle: First\n---\n\nProse only.\n"])

    private func refusal(output: String) throws -> String {
        var options = buildOptions(site)
        options.outputDirectory = output
        let before = FixtureSite.tree(site.root)
        let error = try #require(throws: BuildErrors.self) { try SiteBuilder(options: options).build() }
        #expect(FixtureSite.tree(site.root) == before, "the project changed")
        return error.description
    }

    @Test("the content, the theme, the project, its parent and / are refused; nothing is touched")
    func sourcesAreRefused() throws {
        #expect(try refusal(output: site.content).contains("it is the content folder"))
        #expect(try refusal(output: site.content + "/lessons").contains("inside the content folder"))
        #expect(try refusal(output: site.theme + "/sub").contains("inside the theme folder"))
        #expect(try refusal(output: site.root).contains("it is the project's folder"))
        #expect(try refusal(output: site.root + "/.").contains("it is the project's folder"))
        #expect(try refusal(output: site.content + "/..").contains("it is the project's folder"))
        #expect(try refusal(output: site.root + "/..").contains("it holds the project"))
        #expect(try refusal(output: "/").contains("it is the root folder"))
        #expect(try refusal(output: site.cache).contains("cache folder"))
        #expect(try refusal(output: "").contains("--output is empty"))
        #expect(try refusal(output: "  ").contains("--output is empty"))
    }

    @Test("an existing folder vizsite did not write, or a git work tree, is not replaced")
    func foreignFoldersAreRefused() throws {
        site.directory.write("Mine/notes.txt", "precious")
        #expect(try refusal(output: site.directory.file("Mine")).contains("has no .vizsite-output file"))
        site.directory.write("Repo/.git/HEAD", "ref: refs/heads/main\n")
        #expect(try refusal(output: site.directory.file("Repo")).contains("root of a git work tree"))
        site.directory.write("File", "not a folder")
        #expect(try refusal(output: site.directory.file("File")).contains("not a folder"))
        // A symbolic link is judged by what it points at.
        try FileManager.default.createSymbolicLink(
            atPath: site.directory.file("Link"), withDestinationPath: site.content)
        #expect(try refusal(output: site.directory.file("Link")).contains("it is the content folder"))
    }

    @Test("a built site carries the marker and is replaced by the next build; so is an older vizsite site")
    func ownOutputIsReplaced() throws {
        try SiteBuilder(options: buildOptions(site)).build()
        let marker = try String(contentsOfFile: site.output + "/.vizsite-output", encoding: .utf8)
        #expect(marker.contains("vizsite build"))
        try SiteBuilder(options: buildOptions(site)).build()

        // Built before the marker existed: the home page names vizsite as its generator.
        var options = buildOptions(site)
        options.outputDirectory = site.directory.file("Old")
        site.directory.write("Old/index.html", "<!doctype html><meta name=\"generator\" content=\"vizsite 0.2.0\">")
        try SiteBuilder(options: options).build()
        #expect(FileManager.default.fileExists(atPath: site.directory.file("Old/.vizsite-output")))

        // An empty folder, or one inside the cache (the preview's), is fine.
        try FileManager.default.createDirectory(
            atPath: site.directory.file("Empty"), withIntermediateDirectories: true)
        options.outputDirectory = site.directory.file("Empty")
        try SiteBuilder(options: options).build()
        options.outputDirectory = site.cache + "/preview"
        try SiteBuilder(options: options).build()
    }
}
