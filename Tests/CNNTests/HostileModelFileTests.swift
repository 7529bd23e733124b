@testable import CNN
import Common
import Foundation
import Testing
import TestSupport

/// Models from elsewhere (a hub, a pull request) may point their weights at files of the
/// machine that builds them. None is read: a link out, HDF5 external storage or external
/// links, a pipe or a folder is an error naming the file and the tensor.
@Suite("Hostile model files")
struct HostileModelFileTests {
    static let hostile = PackagePaths.path("Tests/CNNTests/Fixtures/hostile")
    static let imports = PackagePaths.path("Tests/CNNTests/Fixtures/import")

    func loadError(_ path: String) -> String {
        do {
            _ = try ModelSpec.load(path: path, displayPath: (path as NSString).lastPathComponent)
            return "loaded"
        } catch { return error.description }
    }

    @Test("HDF5 external storage and external links are refused before any value is read")
    func hdf5External() {
        #expect(
            loadError("\(Self.hostile)/external-storage.h5")
                == "external-storage.h5: error: not a readable Keras file (dataset "
                + "'model_weights/dense_1/sequential_mnist/dense_1/bias' keeps its values in other files (HDF5 "
                + "external storage or a virtual dataset); vizsite reads only what the file itself holds)")
        #expect(
            loadError("\(Self.hostile)/external-link.h5")
                == "external-link.h5: error: not a readable Keras file "
                + "('model_weights/dense_1/sequential_mnist/dense_1/bias' is an external link to another file; "
                + "vizsite reads only what the file itself holds)")
        #expect(
            loadError("\(Self.hostile)/external-storage.keras")
                .contains("dataset 'layers/conv2d/vars/1' keeps its values in other files"))
    }

    @Test("a NaN or infinite weight is an error naming the model, the tensor and the index")
    func nonFiniteWeights() throws {
        for (bits, shown) in [(UInt32(0x7FC0_0000), "nan"), (0x7F80_0000, "inf"), (0xFF80_0000, "-inf")] {
            let (folder, model) = try onnxWithData { data, real in
                var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: real)))
                withUnsafeBytes(of: bits.littleEndian) { for i in 0..<4 { bytes[8 + i] = $0[i] } }
                try Data(bytes).write(to: URL(fileURLWithPath: data))
            }
            let error = loadError(model)
            #expect(error.contains("weight '") && error.contains("holds \(shown) at index"), "\(error)")
            #expect(error.contains("every weight must be a finite number"))
            _ = folder
        }
    }

    @Test("zip bombs: a member larger than a model may be, or than deflate can produce, is refused before inflating")
    func zipBombs() {
        #expect(
            loadError("\(Self.hostile)/bomb.keras")
                == "bomb.keras: error: not a valid .keras file (entry 'model.weights.h5' declares 314572800 bytes; "
                + "at most 268435456 are read)")
        #expect(
            loadError("\(Self.hostile)/declares-2gb.keras")
                == "declares-2gb.keras: error: not a valid .keras file (entry 'model.weights.h5' declares 2147483647 "
                + "bytes; at most 268435456 are read)")
    }

    /// A one-member zip whose headers declare `size` bytes for `compressed` deflated bytes.
    static func zip(declaring size: Int, compressed: Int) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 255), UInt8(v >> 8 & 255)] }
        func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16(v >> 16 & 0xFFFF) }
        let name = Array("model.weights.h5".utf8)
        let fields = u16(20) + u16(0) + u16(8) + u16(0) + u16(0) + u32(0) + u32(compressed) + u32(size)
        let local =
            u32(0x0403_4B50) + fields + u16(name.count) + u16(0) + name + [UInt8](repeating: 0, count: compressed)
        let central =
            u32(0x0201_4B50) + u16(20) + fields + u16(name.count) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(0)
            + name
        return local + central + u32(0x0605_4B50) + u16(0) + u16(0) + u16(1) + u16(1) + u32(central.count)
            + u32(local.count) + u16(0)
    }

    @Test("a deflated member may not declare more than 1032 times its compressed size")
    func deflateRatio() throws {
        let archive = try ZipArchive(bytes: Self.zip(declaring: 10_000_000, compressed: 100))
        #expect {
            _ = try archive.contents(of: "model.weights.h5", limit: 1 << 28)
        } throws: { error in
            (error as? ZipArchive.Malformed)?.reason
                == "entry 'model.weights.h5' declares 10000000 bytes from 100 compressed, more than deflate can "
                + "produce (a decompression bomb)"
        }
        // Within the ratio, the member is inflated (and found damaged, since it holds zeros).
        let honest = try ZipArchive(bytes: Self.zip(declaring: 50_000, compressed: 100))
        #expect {
            _ = try honest.contents(of: "model.weights.h5", limit: 1 << 28)
        } throws: { error in (error as? ZipArchive.Malformed)?.reason == "a deflated entry is damaged" }
    }

    /// A copy of a dynamo-exported model whose external data file is `data`'s doing.
    func onnxWithData(_ make: (String, String) throws -> Void) throws -> (TemporaryDirectory, String) {
        let folder = TemporaryDirectory("vizsite-onnx")
        let model = folder.file("m.onnx")
        try FileManager.default.copyItem(atPath: "\(Self.imports)/channels-last-dynamo.onnx", toPath: model)
        // The exporter names the data file after the model it wrote.
        try make(folder.file("channels-last-dynamo.onnx.data"), "\(Self.imports)/channels-last-dynamo.onnx.data")
        return (folder, model)
    }

    @Test("ONNX external data: a link out, a pipe and a folder are errors; a link inside the folder is fine")
    func onnxExternalData() throws {
        let outside = TemporaryDirectory("vizsite-secret")
        let secret = outside.file("weights.data")
        try FileManager.default.copyItem(atPath: "\(Self.imports)/channels-last-dynamo.onnx.data", toPath: secret)
        let (a, linkedOut) = try onnxWithData { data, _ in
            try FileManager.default.createSymbolicLink(atPath: data, withDestinationPath: secret)
        }
        #expect(
            loadError(linkedOut).contains(
                "external data file 'channels-last-dynamo.onnx.data' leads out of the model's folder through a "
                    + "symbolic link"))
        let (b, piped) = try onnxWithData { data, _ in #expect(mkfifo(data, 0o600) == 0) }
        #expect(loadError(piped).contains("'channels-last-dynamo.onnx.data' is a named pipe, not a regular file"))
        let (c, folder) = try onnxWithData { data, _ in
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: false)
        }
        #expect(loadError(folder).contains("'channels-last-dynamo.onnx.data' is a folder, not a regular file"))
        let (d, linkedInside) = try onnxWithData { data, real in
            let beside = ResolvedPath.parent(data) + "/weights/real.data"
            try FileManager.default.createDirectory(
                atPath: ResolvedPath.parent(beside), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: real, toPath: beside)
            try FileManager.default.createSymbolicLink(atPath: data, withDestinationPath: "weights/real.data")
        }
        #expect(loadError(linkedInside) == "loaded")
        _ = (a, b, c, d)
    }

    /// An ONNX graph of `count` Relu nodes and a Flatten, `[1, 10, 1, 1]` in, `output` out,
    /// encoded by hand (protobuf's wire format).
    static func reluChain(_ count: Int, output: String = "y") -> [UInt8] {
        func varint(_ value: Int) -> [UInt8] {
            var n = UInt64(value), out: [UInt8] = []
            repeat {
                out.append(UInt8(n & 0x7F) | (n > 0x7F ? 0x80 : 0))
                n >>= 7
            } while n > 0
            return out
        }
        func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
            varint(number << 3 | 2) + varint(payload.count) + payload
        }
        func number(_ number: Int, _ value: Int) -> [UInt8] { varint(number << 3) + varint(value) }
        func text(_ number: Int, _ value: String) -> [UInt8] { field(number, Array(value.utf8)) }
        func valueInfo(_ name: String, _ dims: [Int]) -> [UInt8] {
            let shape = dims.flatMap { field(1, number(1, $0)) }
            return text(1, name) + field(2, field(1, number(1, 1) + field(2, shape)))
        }
        var nodes: [UInt8] = []
        var previous = "x"
        for i in 0..<count {
            nodes += field(1, text(1, previous) + text(2, "r\(i)") + text(3, "relu_\(i)") + text(4, "Relu"))
            previous = "r\(i)"
        }
        nodes += field(1, text(1, previous) + text(2, "y") + text(3, "flat") + text(4, "Flatten"))
        let graph =
            nodes + text(2, "chain") + field(11, valueInfo("x", [1, 10, 1, 1])) + field(12, valueInfo(output, [1, 10]))
        return number(1, 8) + field(7, graph) + field(8, number(2, 18))
    }

    @Test("ONNX loading is linear in the number of nodes (40,000 took 16.6 s)")
    func longGraphs() throws {
        let start = Date()
        let model = try ONNXImporter.load(
            bytes: Self.reluChain(20_000), directory: "/nonexistent", displayPath: "c.onnx")
        #expect(model.layers.count == 20_001)
        #expect(Date().timeIntervalSince(start) < 3, "\(Date().timeIntervalSince(start)) s")
        #expect {
            try ONNXImporter.load(
                bytes: Self.reluChain(3, output: "z"), directory: "/nonexistent", displayPath: "c.onnx")
        } throws: { error in
            (error as? ImportError)?.description == "c.onnx: error: the graph's output 'z' is produced by no node"
        }
    }
}
