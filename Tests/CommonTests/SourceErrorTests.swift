import Common
import Testing

/// The one error model and its one printer.
@Suite struct SourceErrorTests {
    @Test func printsCompilerStyleWithOrWithoutAPlace() {
        let at = SourceLocation(file: "Content/lessons/07-cam.md", line: 23, column: 8)
        #expect(
            SourceError("unknown directive 'cma'", at: at, suggestion: "cam").description
                == "Content/lessons/07-cam.md:23:8: error: unknown directive 'cma'; did you mean 'cam'?")
        #expect(
            SourceError("cannot read", at: SourceLocation(file: "w.safetensors", line: 0, column: 0)).description
                == "w.safetensors: error: cannot read")
        #expect(SourceError("the model has no convolution").description == "error: the model has no convolution")
    }

    @Test func anErrorNamingAFileIsPlacedAtTheDirectiveThatReadIt() {
        let png = SourceError(
            "not a readable PNG image: truncated", at: SourceLocation(file: "images/x.png", line: 0, column: 0))
        let at = SourceLocation(file: "lessons/01.md", line: 9, column: 9)
        #expect(
            png.placed(at: at).description
                == "lessons/01.md:9:9: error: images/x.png: not a readable PNG image: truncated")
        // One without a file keeps its message (and suggestion) as it is.
        let plain = SourceError("the model has no layer 'conv2d_3'", suggestion: "conv2d_2")
        #expect(
            plain.placed(at: at).description
                == "lessons/01.md:9:9: error: the model has no layer 'conv2d_3'; did you mean 'conv2d_2'?")
    }

    struct ModuleError: SourceErrorConvertible {
        var sourceError: SourceError { SourceError("bad", suggestion: "good") }
    }

    @Test("a long value is echoed as its start, its length and its end; apostrophes are not quotes")
    func longValuesAreCut() {
        let value = String(repeating: "a", count: 10_000_000) + "z"
        let error = SourceError(
            "unknown method '\(value)'; expected one of gradcam, vanilla", at: .init(file: "f.md", line: 3, column: 9))
        #expect(
            error.description
                == "f.md:3:9: error: unknown method '\(String(repeating: "a", count: 80))…(10000001 characters)…"
                + "aaaaaaaaaaaaaaaaaaaz'; expected one of gradcam, vanilla")
        let prose = "the model's input " + String(repeating: "is long ", count: 30) + "and 'x' is fine"
        #expect(SourceError(prose).message == prose)
    }

    @Test("YAML nested past libyaml's limit is an error in the writer's words, at its place")
    func deepYAML() {
        let text = "a: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"
        #expect {
            _ = try YAMLValue.parse(text, file: "s.yml")
        } throws: { error in
            let message = (error as? SourceError)?.description ?? ""
            return message.hasPrefix("s.yml:1:")
                && message.hasSuffix("lists and mappings are nested too deep (libyaml reads at most 1,000 levels)")
        }
    }

    @Test func moduleErrorsPrintThroughTheSamePrinter() {
        #expect("\(ModuleError())" == "error: bad; did you mean 'good'?")
    }
}
