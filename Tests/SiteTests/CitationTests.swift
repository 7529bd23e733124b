import Foundation
import Testing
import TestSupport

@testable import Site

/// `[@key]` citations from `Content/references.bib` and each lesson's reference list.
@Suite struct CitationTests {
    static let bib = """
        % Works for the tests; this line's @key] is a comment.
        @string{iccv = "ICCV"}
        @inproceedings{selvaraju2017,
          author = {Selvaraju, Ramprasaath R. and Cogswell, Michael and Das, Abhishek and others},
          title = {{Grad-CAM}: visual explanations},
          booktitle = iccv # " 2017",
          year = 2017,
          eprint = {1610.02391}, archivePrefix = {arXiv},
        }
        @article{hedstrom2023,
          author = "Hedstr{\\"o}m, Anna and Ludwig van der Berg",
          title = {Quantus -- a toolkit},
          journal = {JMLR},
          year = {2023},
          doi = {10.5555/x},
        }
        @misc{smith2020a, author = {Smith, J.}, title = {One}, year = {2020}, url = {https://example.org/one}}
        @misc{smith2020b, author = {Smith, J.}, title = {Two}, year = {2020}}
        """

    @Test("BibTeX: braces, quotes, @string, #, accents, particles, and/others, months")
    func parses() throws {
        let bibliography = try Bibliography(Self.bib, file: "references.bib")
        #expect(bibliography.keys == ["selvaraju2017", "hedstrom2023", "smith2020a", "smith2020b"])
        let grad = try #require(bibliography["selvaraju2017"])
        #expect(
            grad.type == "inproceedings" && grad["booktitle"] == "ICCV 2017"
                && grad["title"] == "Grad-CAM: visual explanations")
        #expect(grad.people.map(\.family) == ["Selvaraju", "Cogswell", "Das"] && grad.hasMorePeople)
        #expect(grad.link == "https://arxiv.org/abs/1610.02391" && grad.location.line == 3)
        let quantus = try #require(bibliography["hedstrom2023"])
        #expect(quantus.people.map(\.family) == ["Hedström", "van der Berg"])
        #expect(quantus["title"] == "Quantus – a toolkit" && quantus.link == "https://doi.org/10.5555/x")
        #expect(Bibliography.initials("Pei-Tian") == "P.-T." && Bibliography.initials("Ramprasaath R.") == "R. R.")
        let labels = Citations.labels(bibliography)
        #expect(labels["selvaraju2017"] == Citations.Label(names: "Selvaraju \(Citations.etAl)", year: "2017"))
        #expect(labels["hedstrom2023"] == Citations.Label(names: "Hedström & van der Berg", year: "2023"))
        #expect(labels["smith2020a"]?.year == "2020a" && labels["smith2020b"]?.year == "2020b")
    }

    @Test("a malformed file is an error at its line and column")
    func malformed() {
        let cases: [(String, String)] = [
            (
                "@article{a, title = {x}\n@article{b, title = {y}}",
                "references.bib:2:1: error: expected ',' or '}' closing entry 'a' here, found '@'"
            ),
            (
                "@article{a, title = {x}}\n@misc{a, title = {y}}",
                "references.bib:2:7: error: citation key 'a' is already given at line 1"
            ),
            (
                "@article{a,\n  title = {x}",
                "references.bib:2:14: error: expected ',' or '}' closing entry 'a' here, found the end of the file"
            ),
            (
                "@article{a, title = {x}, title = {y}}",
                "references.bib:1:26: error: field 'title' is given twice in 'a'"
            ),
            (
                "@article{a, journal = jmlr}",
                "references.bib:1:23: error: 'jmlr' is no @string defined above; put a value in braces"
            ),
            ("@article{a, title = {x", "references.bib:1:21: error: this value is never closed"),
        ]
        for (text, expected) in cases {
            do {
                _ = try Bibliography(text, file: "references.bib")
                Issue.record("no error for \(text)")
            } catch {
                #expect(error.description == expected, "\(text)")
            }
        }
    }

    @Test("citations in prose outside code, with their columns; code and other brackets are not citations")
    func found() {
        let text = "See [@a] and [@b; @c, p. 3].\n`[@code]` and [@ not] and [-@d].\n```\n[@fenced]\n```\n"
        let found = Citations.find(in: text, lineOffset: 10)
        #expect(
            found == [
                .init(items: [.init(key: "a", locator: nil)], line: 11, column: 5),
                .init(items: [.init(key: "b", locator: nil), .init(key: "c", locator: "p. 3")], line: 11, column: 14),
                .init(items: [.init(key: "d", locator: nil, yearOnly: true)], line: 12, column: 27),
            ])
    }

    @Test("a lesson's citations link to its reference list, sorted by author, under an added heading in the TOC")
    func built() throws {
        let body = """
            Grad-CAM [@selvaraju2017, sec. 3] and Quantus [@hedstrom2023; @smith2020b]. Smith [-@smith2020a] too.
            In code `[@selvaraju2017]` stays.
            """
        let site = FixtureSite(lessons: ["01-test.md": lesson(body)], trainCount: 256, testCount: 64)
        _ = site.directory.write("Content/references.bib", Self.bib)
        try SiteBuilder(options: buildOptions(site)).build()
        let files = FixtureSite.tree(site.output)
        let page = String(decoding: try #require(files["test/index.html"]), as: UTF8.self)
        #expect(htmlProblems(page).isEmpty)
        #expect(
            page.contains(
                "<span class=\"citation\">(<a href=\"#ref-selvaraju2017\">Selvaraju et al., 2017, sec. 3</a>)</span>"))
        #expect(
            page.contains(
                "<span class=\"citation\">(<a href=\"#ref-hedstrom2023\">Hedström &amp; van der Berg, 2023</a>; "
                    + "<a href=\"#ref-smith2020b\">Smith, 2020b</a>)</span>"))
        #expect(page.contains("Smith <span class=\"citation\">(<a href=\"#ref-smith2020a\">2020a</a>)</span> too."))
        #expect(page.contains("<code>[@selvaraju2017]</code>"))
        #expect(page.contains("<h2 id=\"references\">References</h2>"))
        #expect(page.contains("href=\"#references\""), "the table of contents lists the references")
        let items = page.matches(of: /<li id="ref-([^"]+)">/).map { String($0.output.1) }
        #expect(items == ["hedstrom2023", "selvaraju2017", "smith2020a", "smith2020b"])
        #expect(
            page.contains(
                "<li id=\"ref-selvaraju2017\">Selvaraju, R. R. et al. (2017). "
                    + "<a href=\"https://arxiv.org/abs/1610.02391\">Grad-CAM: visual explanations</a>. ICCV 2017.</li>")
        )
        #expect(
            page.contains(
                "<li id=\"ref-hedstrom2023\">Hedström, A. &amp; van der Berg, L. (2023). "
                    + "<a href=\"https://doi.org/10.5555/x\">Quantus – a toolkit</a>. JMLR.</li>"))
        #expect(page.contains("<li id=\"ref-smith2020b\">Smith, J. (2020b). Two.</li>"))
    }

    @Test("an unknown key is an error at the citation with the nearest key; nocite lists works uncited")
    func errorsAndNocite() throws {
        let errors = buildErrors(
            lesson("As shown [@selvaraju2071].\n"), files: ["Content/references.bib": Self.bib])
        #expect(errors.count == 1)
        #expect(
            errors.first?.hasPrefix(
                "Content/lessons/01-test.md:7:10: error: no work in Content/references.bib has the key 'selvaraju2071'")
                == true)
        #expect(errors.first?.contains("@selvaraju2017") == true, "the nearest key is suggested")
        // Without a bibliography at all, the error says where to put one.
        #expect(
            buildErrors(lesson("As shown [@a].\n")) == [
                "Content/lessons/01-test.md:7:10: error: citation '@a', but there is no bibliography: add the work to "
                    + "Content/references.bib (BibTeX)"
            ])
        // nocite: "*" lists every work, at the end of the lesson's own References section.
        let listed = FixtureSite(
            lessons: [
                "01-all.md": "---\ntitle: All\nnocite: \"*\"\n---\n\n## References\n\nEvery work.\n\n## After\n\nEnd.\n"
            ],
            trainCount: 256, testCount: 64)
        _ = listed.directory.write("Content/references.bib", Self.bib)
        try SiteBuilder(options: buildOptions(listed)).build()
        let page = String(decoding: try #require(FixtureSite.tree(listed.output)["all/index.html"]), as: UTF8.self)
        #expect(page.components(separatedBy: "<li id=\"ref-").count - 1 == 4)
        let list = try #require(page.firstRange(of: "<ul class=\"references\">"))
        let every = try #require(page.firstRange(of: "Every work."))
        let after = try #require(page.firstRange(of: "<h2 id=\"after\">"))
        #expect(every.lowerBound < list.lowerBound && list.lowerBound < after.lowerBound)
        #expect(page.components(separatedBy: "<h2 id=\"references\">").count == 2, "no second heading")
    }
}
