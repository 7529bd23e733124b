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

    @Test func moduleErrorsPrintThroughTheSamePrinter() {
        #expect("\(ModuleError())" == "error: bad; did you mean 'good'?")
    }
}
