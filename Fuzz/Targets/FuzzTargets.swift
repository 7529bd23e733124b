import Common
import CNN
import Foundation
import Render
import Site

/// Every reader of a file people write, as a function of raw bytes. Each must return —
/// never crash, hang or allocate without bound — and what it accepts must keep its
/// invariants (checked with `precondition`, so a violation is a crash the fuzzer reports).
///
/// `make fuzz` runs them under libFuzzer (`Fuzz/Driver`); the test suite replays the seed
/// inputs and every input that once broke one (`Fuzz/Regressions/<target>/`).
public enum FuzzTargets {
    /// The targets by name, as `make fuzz` and the regression tests call them.
    public static let all: [(name: String, run: @Sendable (Data) -> Void)] = [
        ("lesson", lesson), ("site-config", siteConfig), ("selector", selector), ("model-spec", modelSpec),
        ("safetensors", safetensors), ("idx", idx), ("png", png), ("onnx", onnx), ("keras", keras),
        ("hdf5", hdf5), ("zip", zip), ("tex", tex), ("http", http),
    ]

    public static func named(_ name: String) -> (@Sendable (Data) -> Void)? {
        all.first { $0.name == name }?.run
    }

    /// A lesson's bytes: encoding, front matter, Markdown, `{{values}}` and every directive's
    /// options, checked against the reference model as `vizsite build` checks them.
    public static func lesson(_ data: Data) {
        let file = "lessons/01-fuzz.md"
        let text: String
        do throws(SourceError) { text = try SourceText.decode(data, displayPath: file) } catch {
            checkLocation(error, lines: nil)
            return
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        for error in LessonCheck.errors(in: text, file: file, config: defaultConfig, spec: referenceSpec) {
            checkLocation(error, lines: lines)
        }
    }

    /// `site.yml`.
    public static func siteConfig(_ data: Data) {
        do throws(SourceError) {
            let text = try SourceText.decode(data, displayPath: "site.yml")
            _ = try SiteConfig.parse(text, file: "site.yml")
        } catch {
            checkLocation(error, lines: nil)
        }
    }

    /// An `images:` option: a comma-separated list of selectors. What parses must print
    /// back to a selector that parses to the same thing.
    public static func selector(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        for part in ImageSelector.splitList(text) {
            guard case .success(let selector) = ImageSelector.parse(part, classes: 10) else { continue }
            if case let .dataset(_, filter, range) = selector {
                precondition(range.lowerBound >= 0 && !range.isEmpty, "selector '\(part)' accepted the range \(range)")
                if case .label(let k) = filter {
                    precondition((0..<10).contains(k), "selector '\(part)' accepted class \(k)")
                }
            }
            guard case .success(let again) = ImageSelector.parse(selector.description, classes: 10), again == selector
            else {
                preconditionFailure("selector '\(part)' prints as '\(selector.description)', which does not parse back")
            }
        }
    }

    /// An ONNX file: protobuf decoding, shape folding and the conversion of every op. What
    /// is accepted must be a model whose layers' shapes agree with the nodes they read.
    public static func onnx(_ data: Data) {
        do throws(ImportError) {
            let model = try ONNXImporter.load(bytes: [UInt8](data), directory: "/nonexistent", displayPath: "fuzz.onnx")
            checkGraph(model)
        } catch {
            precondition(error.sourceError.location.file == "fuzz.onnx", "an ONNX error lost its file")
        }
    }

    /// A `.keras` file's zip directory and config (the weights go to libhdf5, not fuzzed here).
    public static func keras(_ data: Data) {
        do throws(ImportError) {
            checkGraph(try KerasImporter.architecture(kerasBytes: [UInt8](data), displayPath: "fuzz.keras"))
        } catch {
            precondition(error.sourceError.location.file == "fuzz.keras", "a Keras error lost its file")
        }
    }

    /// A whole Keras file, weights included: libhdf5 reads it in a child process first
    /// (`HDF5Guard`), so whatever the bytes, this process must get a model or an error, never
    /// a crash or a hang. The child is vizsite's release build: `VIZSITE_FUZZ_HELPER`, else a
    /// `vizsite` beside this executable (the test suite's); without one, nothing is read,
    /// since libhdf5 in-process is what the guard exists to avoid.
    public static func hdf5(_ data: Data) {
        guard let helper = hdf5Helper else { return }
        HDF5Guard.helper = helper
        do throws(ImportError) {
            checkGraph(try KerasImporter.load(bytes: [UInt8](data), displayPath: "fuzz.h5"))
        } catch {
            precondition(error.sourceError.location.file == "fuzz.h5", "a Keras error lost its file")
        }
    }

    private static let hdf5Helper: String? = {
        if let path = ProcessInfo.processInfo.environment["VIZSITE_FUZZ_HELPER"] { return path }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("vizsite").path
        return FileManager.default.isExecutableFile(atPath: beside) ? beside : nil
    }()

    /// A zip archive (a `.keras` file's container): every member read under a 16 MB cap.
    /// What is read has the size the directory declares; a bomb is refused before it is
    /// inflated (the fuzzer's memory limit catches one that is not).
    public static func zip(_ data: Data) {
        guard let archive = try? ZipArchive(bytes: [UInt8](data)) else { return }
        for (name, entry) in archive.entries.sorted(by: { $0.key < $1.key }) {
            guard let bytes = try? archive.contents(of: name, limit: 16 << 20) else { continue }
            precondition(
                bytes.count == entry.size, "member \(name) read as \(bytes.count) bytes, declared \(entry.size)")
        }
    }

    /// A TeX formula: MathML or an error inside the formula, never a crash (nesting is
    /// limited) nor markup outside the `<math>` element.
    public static func tex(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        for display in [false, true] {
            do throws(TeXMath.Failure) {
                let markup = try TeXMath.mathML(text, display: display)
                precondition(markup.hasPrefix("<math") && markup.hasSuffix("</math>"), "markup outside <math>")
                precondition(!markup.contains("<script"), "a script element in MathML")
            } catch {
                precondition(error.offset >= 0 && error.offset <= text.count, "error offset \(error.offset) outside")
                precondition(!error.message.isEmpty, "an error without a message")
            }
        }
    }

    /// The preview server's request reader, fed in pieces as a network delivers them
    /// (the first byte sets the piece size): a head, a refusal with one of its statuses,
    /// or a wait for more; what was consumed was there.
    public static func http(_ data: Data) {
        guard let first = data.first else { return }
        let size = Int(first % 64) + 1
        var parser = HTTPRequestParser()
        var offset = 1
        while offset < data.count {
            let piece = data[(data.startIndex + offset)..<(data.startIndex + min(data.count, offset + size))]
            offset += piece.count
            var outcome = parser.append(piece)
            while case .complete(let head, let consumed) = outcome {
                precondition(consumed > 0 && consumed <= parser.buffer.count, "consumed \(consumed) bytes")
                precondition(!head.method.isEmpty && !head.target.isEmpty, "an empty method or target")
                precondition(head.version.hasPrefix("HTTP/1."), "version \(head.version)")
                outcome = parser.consume(consumed)
            }
            if case .failed(let status) = outcome {
                precondition([400, 413, 414, 431, 505].contains(status), "status \(status)")
                return
            }
            precondition(
                parser.buffer.count <= HTTPRequestParser.maximumHead + size, "buffer of \(parser.buffer.count)")
        }
    }

    /// Every layer reads nodes before it whose shapes are the ones it expects.
    static func checkGraph(_ model: Model) {
        for (i, layer) in model.layers.enumerated() {
            let shapes = model.inputs[i].map { $0 < 0 ? model.inputShape : model.layers[$0].outputShape }
            precondition(
                shapes == layer.inputShapes, "layer \(layer.name) expects \(layer.inputShapes), gets \(shapes)")
            precondition(layer.outputShape.allSatisfy { $0 > 0 }, "layer \(layer.name) has output \(layer.outputShape)")
        }
        precondition(model.layers.last.map { $0.outputShape.count == 1 } ?? false, "the output is not a vector")
    }

    /// A model spec (`models/*.yml`): what is accepted must build a model whose shapes
    /// chain and whose parameters are allocated.
    public static func modelSpec(_ data: Data) {
        do throws(SourceError) {
            let text = try SourceText.decode(data, displayPath: "models/fuzz.yml")
            let spec = try ModelSpec.parse(text, file: "models/fuzz.yml")
            var shape = spec.model.inputShape
            for layer in spec.model.layers {
                precondition(
                    layer.inputShape == shape, "layer \(layer.name) expects \(layer.inputShape) but receives \(shape)")
                shape = layer.outputShape
                precondition(shape.allSatisfy { $0 > 0 }, "layer \(layer.name) has output shape \(shape)")
            }
        } catch {
            checkLocation(error, lines: nil)
        }
    }

    /// A safetensors weights file: what is read must write back and read again unchanged.
    public static func safetensors(_ data: Data) {
        guard let tensors = try? SafeTensors.parse(data, file: "fuzz.safetensors") else { return }
        for (key, tensor) in tensors {
            precondition(
                tensor.shape.elementCount == tensor.count,
                "tensor \(key): shape \(tensor.shape) but \(tensor.count) values")
        }
        let written = SafeTensors.encode(tensors.sorted { $0.key < $1.key }.map { (key: $0.key, tensor: $0.value) })
        guard let again = try? SafeTensors.parse(written, file: "rewritten.safetensors") else {
            preconditionFailure("tensors that were read could not be read back after writing")
        }
        precondition(again.keys.sorted() == tensors.keys.sorted(), "keys changed in a round trip")
        for (key, tensor) in tensors {
            let other = again[key]!
            precondition(other.shape == tensor.shape, "tensor \(key) changed shape in a round trip")
            precondition(
                Swift.zip(other.scalars, tensor.scalars).allSatisfy { $0.bitPattern == $1.bitPattern },
                "tensor \(key) changed values")
        }
    }

    /// An MNIST-style IDX file, raw or gzip-compressed.
    public static func idx(_ data: Data) {
        guard let array = try? IDXArray.decode(data, file: "fuzz-idx3-ubyte.gz") else { return }
        precondition(
            array.shape.reduce(1, *) == array.bytes.count, "IDX shape \(array.shape) but \(array.bytes.count) bytes")
    }

    /// A PNG an author drops into `images/`: decoded, turned into the model's 28×28 input,
    /// and written back out losslessly.
    public static func png(_ data: Data) {
        guard let image = try? PNG.decode(data, file: "images/fuzz.png") else { return }
        precondition(
            image.width > 0 && image.height > 0 && image.pixels.count == image.width * image.height * 4,
            "decoded \(image.width)×\(image.height) with \(image.pixels.count) bytes")
        for preparation in ImagePreparation.allCases {
            let input = ModelInputImage(image, width: 28, height: 28, preparation: preparation)
            precondition(
                input.values.count == 784 && input.values.allSatisfy { $0.isFinite && $0 >= -1e-5 && $0 <= 1 + 1e-5 },
                "model input out of [0, 1] (\(preparation))")
        }
        guard image.width * image.height <= 1 << 20 else { return }
        guard let again = try? PNG.decode(PNG.encode(image), file: "rewritten.png"), again == image else {
            preconditionFailure("a decoded image did not survive a PNG round trip")
        }
    }

    /// An error must point into the file: a line within it (0 when no line applies).
    private static func checkLocation(_ error: SourceError, lines: Int?) {
        precondition(error.location.line >= 0 && error.location.column >= 0, "negative position in \(error)")
        if let lines {
            precondition(
                error.location.line <= lines + 1, "line \(error.location.line) of a \(lines)-line file in \(error)")
        }
        precondition(!error.message.isEmpty, "an error without a message")
    }

    private static let defaultConfig: SiteConfig = {
        do { return try SiteConfig.parse("title: Fuzz\n", file: "site.yml") } catch { fatalError("\(error)") }
    }()

    /// The reference model, as the lessons use it.
    private static let referenceSpec: ModelSpec = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("Content/models/mnist-cnn.yml").path
        do { return try ModelSpec.load(path: path) } catch {
            fatalError("cannot read the reference model spec: \(error)")
        }
    }()
}
