import Common
import Foundation
import Testing
import TestSupport
@testable import Site

/// `$…$` and `$$…$$` in lessons become MathML Core at build time; code and escaped dollars
/// stay text; a command outside the subset is an error where it is written.
@Suite("Math")
struct MathTests {
    /// The MathML of `tex` without the `<math>`, `<semantics>` and annotation wrapping.
    func body(_ tex: String, display: Bool = false) throws -> String {
        let full = try TeXMath.mathML(tex, display: display)
        let start = try #require(full.range(of: "<semantics>")).upperBound
        let end = try #require(full.range(of: "<annotation")).lowerBound
        return String(full[start..<end])
    }

    @Test("fractions, scripts, Greek, sums, partial derivatives and operators become MathML Core")
    func elements() throws {
        #expect(try body("x^2") == "<msup><mi>x</mi><mn>2</mn></msup>")
        #expect(try body("x^23") == "<mrow><msup><mi>x</mi><mn>2</mn></msup><mn>3</mn></mrow>")
        #expect(try body("a_{ij}^{k}") == "<msubsup><mi>a</mi><mrow><mi>i</mi><mi>j</mi></mrow><mi>k</mi></msubsup>")
        #expect(try body("\\frac{1}{Z}") == "<mfrac><mn>1</mn><mi>Z</mi></mfrac>")
        #expect(
            try body("\\alpha + \\Omega - 3.14")
                == "<mrow><mi>α</mi><mo>+</mo><mi mathvariant=\"normal\">Ω</mi><mo>−</mo><mn>3.14</mn></mrow>")
        #expect(
            try body("\\frac{\\partial y}{\\partial x_i}")
                == "<mfrac><mrow><mi>∂</mi><mi>y</mi></mrow><mrow><mi>∂</mi><msub><mi>x</mi><mi>i</mi></msub></mrow></mfrac>"
        )
        // Limits go under and over in display math, beside the operator inline.
        #expect(try body("\\sum_k", display: true) == "<munder><mo movablelimits=\"true\">∑</mo><mi>k</mi></munder>")
        #expect(try body("\\sum_k") == "<msub><mo movablelimits=\"true\">∑</mo><mi>k</mi></msub>")
        #expect(
            try body("\\int_0^1", display: true)
                == "<msubsup><mo movablelimits=\"true\">∫</mo><mn>0</mn><mn>1</mn></msubsup>")
        #expect(
            try body("\\operatorname{ReLU}(z)")
                == "<mrow><mi>ReLU</mi><mo>&#x2061;</mo><mo stretchy=\"false\">(</mo><mi>z</mi><mo stretchy=\"false\">)</mo></mrow>"
        )
        // A script's base is one element; the function application follows the scripts.
        #expect(
            try body("\\operatorname*{argmax}_c x", display: true)
                == "<mrow><munder><mi>argmax</mi><mi>c</mi></munder><mo>&#x2061;</mo><mi>x</mi></mrow>")
        #expect(try body("\\log_2 x") == "<mrow><msub><mi>log</mi><mn>2</mn></msub><mo>&#x2061;</mo><mi>x</mi></mrow>")
        #expect(try body("\\text{if } x") == "<mrow><mtext>if </mtext><mi>x</mi></mrow>")
        #expect(try body("\\mathrm{d}x") == "<mrow><mi mathvariant=\"normal\">d</mi><mi>x</mi></mrow>")
        #expect(try body("\\mathbb{R}^n \\mathbf{x}") == "<mrow><msup><mi>ℝ</mi><mi>n</mi></msup><mi>𝐱</mi></mrow>")
        #expect(
            try body("\\sqrt{x}\\sqrt[3]{y}")
                == "<mrow><msqrt><mi>x</mi></msqrt><mroot><mi>y</mi><mn>3</mn></mroot></mrow>")
        #expect(try body("\\hat{y}") == "<mover accent=\"true\"><mi>y</mi><mo stretchy=\"false\">^</mo></mover>")
        #expect(try body("x'_i") == "<msubsup><mi>x</mi><mi>i</mi><mo>′</mo></msubsup>")
        #expect(try body("a \\le b \\cdot c") == "<mrow><mi>a</mi><mo>≤</mo><mi>b</mi><mo>⋅</mo><mi>c</mi></mrow>")
        #expect(
            try body("\\left( \\frac{a}{b} \\right)")
                == "<mrow><mo fence=\"true\" stretchy=\"true\">(</mo><mfrac><mi>a</mi><mi>b</mi></mfrac><mo fence=\"true\" stretchy=\"true\">)</mo></mrow>"
        )
        #expect(
            try body("\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}")
                == "<mrow><mo fence=\"true\" stretchy=\"true\">(</mo><mtable><mtr><mtd style=\"text-align: center\"><mi>a</mi></mtd>"
                + "<mtd style=\"text-align: center\"><mi>b</mi></mtd></mtr><mtr><mtd style=\"text-align: center\"><mi>c</mi></mtd>"
                + "<mtd style=\"text-align: center\"><mi>d</mi></mtd></mtr></mtable><mo fence=\"true\" stretchy=\"true\">)</mo></mrow>"
        )
        let full = try TeXMath.mathML("a<b", display: true)
        #expect(full.hasPrefix("<math display=\"block\"><semantics><mrow><mi>a</mi><mo>&lt;</mo><mi>b</mi></mrow>"))
        #expect(full.hasSuffix("<annotation encoding=\"application/x-tex\">a&lt;b</annotation></semantics></math>"))
    }

    @Test("an unsupported command or a malformed formula fails at its character")
    func failures() {
        func failure(_ tex: String) -> TeXMath.Failure? {
            do { _ = try TeXMath.mathML(tex, display: false) } catch { return error }
            return nil
        }
        #expect(
            failure("x + \\alpah")
                == .init(message: "unsupported TeX command '\\alpah' in math", offset: 4, suggestion: "\\alpha"))
        #expect(failure("\\frac{a}{b") == .init(message: "a '{' is never closed", offset: 10))
        #expect(failure("\\left( x") == .init(message: "\\left without a \\right", offset: 8))
        #expect(failure("x^") == .init(message: "missing an argument at the end of the formula", offset: 2))
        #expect(failure("x^a^b") == .init(message: "double superscript; group them with braces", offset: 3))
        #expect(
            failure("\\begin{array}{cc} a \\end{array}")?.message.hasPrefix("unsupported environment 'array'") == true)
        #expect(failure("a } b") == .init(message: "unmatched '}'", offset: 2))
        #expect(failure("\\begin{matrix} a \\end{pmatrix}")?.message == "\\begin{matrix} is closed by \\end{pmatrix}")
    }

    @Test("a formula nested deeper than any real one is an error at the level it passes, not a stack overflow")
    func nestingLimit() throws {
        let deep = String(repeating: "\\sqrt{", count: 10_000) + "x" + String(repeating: "}", count: 10_000)
        #expect(throws: TeXMath.Failure.self) { try TeXMath.mathML(deep, display: true) }
        let fractions = String(repeating: "\\frac{1}{", count: 50_000)
        #expect(throws: TeXMath.Failure.self) { try TeXMath.mathML(fractions, display: false) }
        let bare = String(repeating: "\\sqrt", count: 50_000) + " x"
        let failure = try #require(throws: TeXMath.Failure.self) { try TeXMath.mathML(bare, display: false) }
        #expect(failure.message == "the formula nests groups and arguments more than 100 deep")
        // Forty levels, more than any lesson needs, are fine.
        let fine = String(repeating: "\\sqrt{", count: 40) + "x" + String(repeating: "}", count: 40)
        #expect(try TeXMath.mathML(fine, display: true).contains("<msqrt>"))
    }

    @Test("formulas are found outside code; escaped dollars and prices stay text")
    func spans() {
        let text = """
            Price $5 and $10, an escaped \\$x\\$, code `$a$` and $a_i * b_i$.
            $$
            \\sum_k w_k
            $$
            ```
            $not math$
            ```
            A $x$ here,
            and $y
            z$ across lines.

                $indented code$
            """
        let math = MathSpans(text, lineOffset: 10)
        #expect(math.spans.map(\.tex) == ["a_i * b_i", "\\sum_k w_k", "x", "y\nz"])
        #expect(math.spans.map(\.display) == [false, true, false, false])
        #expect(math.spans.map(\.line) == [11, 13, 18, 19])
        #expect(math.spans.map(\.column) == [53, 1, 4, 6])
        let lines = math.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == text.split(separator: "\n", omittingEmptySubsequences: false).count)
        #expect(lines[0] == "Price $5 and $10, an escaped \\$x\\$, code `$a$` and VIZSITEMATH0Q.")
        #expect(lines[1] == "VIZSITEMATH1Q" && lines[2] == "VIZSITEMATHC" && lines[3] == "VIZSITEMATHC")
        #expect(lines[5] == "$not math$" && lines[11] == "    $indented code$")
    }

    @Test("a lesson's formulas are MathML in its page; an unsupported one is an error at its line and column")
    func inLessons() throws {
        let formulas = """
            ---
            title: Formulas
            ---

            Grad-CAM weighs channel $k$ by
            $$
            w_k^c = \\frac{1}{Z}\\sum_{i,j} \\frac{\\partial y^c}{\\partial A^k_{ij}}
            $$
            and costs $5 in `$code$`.

            """
        let site = FixtureSite(lessons: ["01-formulas.md": formulas], trainCount: 16, testCount: 8)
        try SiteBuilder(options: buildOptions(site)).build()
        let page = String(decoding: FixtureSite.tree(site.output)["formulas/index.html"]!, as: UTF8.self)
        #expect(htmlProblems(page) == [])
        #expect(page.contains("<p>Grad-CAM weighs channel <math><semantics><mi>k</mi><annotation"))
        #expect(page.contains("<math display=\"block\"><semantics><mrow><msubsup><mi>w</mi>"))
        #expect(page.contains("and costs $5 in <code>$code$</code>."))
        #expect(!page.contains("VIZSITEMATH"))
        // A display formula in a list item keeps the list tight.
        let listed = MarkdownDocument(
            "- one\n  $$\n  x\n  $$\n- two\n", lineOffset: 0, smart: true, unsafe: false, rewriteURL: { _ in nil })
        #expect(
            listed.html()
                == "<ul>\n<li>one\n<math display=\"block\"><semantics><mi>x</mi><annotation encoding=\"application/x-tex\">x"
                + "</annotation></semantics></math></li>\n<li>two</li>\n</ul>\n")
        #expect(
            buildErrors(lesson("Let $x = \\foo{y}$ and\n$$\n\\frac{a}{b} + \\alpah\n$$\n")) == [
                "Content/lessons/01-test.md:7:10: error: unsupported TeX command '\\foo' in math",
                "Content/lessons/01-test.md:9:15: error: unsupported TeX command '\\alpah' in math; did you mean '\\alpha'?",
            ])
    }

    /// Elements whose MathML Core content model fixes the number of children.
    static let arity = [
        "msub": 2, "msup": 2, "munder": 2, "mover": 2, "mfrac": 2, "mroot": 2, "msubsup": 3, "munderover": 3,
    ]

    /// The fixed-arity elements of `mathML` with the wrong number of children.
    func arityProblems(_ mathML: String) -> [String] {
        var stack: [(name: String, children: Int)] = [], problems: [String] = []
        for match in mathML.matches(of: /<(\/?)([a-z]+)[^>]*>/) {
            let name = String(match.2)
            if match.1.isEmpty {
                if !stack.isEmpty { stack[stack.count - 1].children += 1 }
                stack.append((name, 0))
            } else if let open = stack.popLast() {
                if let expected = Self.arity[open.name], open.children != expected {
                    problems.append("<\(open.name)> with \(open.children) children")
                }
            }
        }
        return problems
    }

    @Test("every formula of the lessons is well formed MathML: each script, fraction and root has its children")
    func lessonFormulas() throws {
        let folder = PackagePaths.path("Content/lessons")
        let files = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter {
            $0.hasSuffix(".md")
        }
        var count = 0
        for file in files {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            for span in MathSpans(text, lineOffset: 0).spans {
                let mathML = try TeXMath.mathML(span.tex, display: span.display)
                #expect(arityProblems(mathML) == [], "\(file):\(span.line): \(span.tex)")
                count += 1
            }
        }
        #expect(count >= 20, "the lessons' formulas (Grad-CAM, Grad-CAM++, the gradient, SmoothGrad, IG, the metrics)")
        #expect(arityProblems("<msub><mi>a</mi><mi>b</mi><mi>c</mi></msub>") == ["<msub> with 3 children"])
    }
}
