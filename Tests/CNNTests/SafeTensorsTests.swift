import CNN
import Foundation
import Testing
import TestSupport

@Suite struct SafeTensorsTests {
    @Test func roundTripIsExact() throws {
        let dir = TemporaryDirectory()
        let model = tinyModel(seed: 7)
        try model.saveWeights(path: dir.file("w.safetensors"), metadata: ["model": "tiny"])
        var loaded = tinyModel(seed: 99)
        #expect(loaded.parameters != model.parameters)
        try loaded.loadWeights(path: dir.file("w.safetensors"))
        #expect(loaded.parameters == model.parameters)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.file("w.safetensors")))
        // 8-byte length, then a header padded to a multiple of 8.
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        #expect(data.count == 8 + headerLength + model.parameters.count * 4)
    }

    @Test func headerHasKerasKeysAndLayouts() throws {
        let data = tinyModel().weightsData()
        let header = String(decoding: data.dropFirst(8).prefix(600), as: UTF8.self)
        #expect(header.hasPrefix(#"{"conv2d_1/kernel":{"dtype":"F32","shape":[3,3,1,4],"data_offsets":[0,144]}"#))
    }

    /// A file written by the Python `safetensors` library from a PyTorch model with Keras
    /// layouts (see Fixtures/README.md): loads, and gives PyTorch's logits.
    @Test func weightsWrittenByPyTorchGiveTheSameLogits() throws {
        let dir = PackagePaths.path("Tests/CNNTests/Fixtures")
        var model = tinyModel()
        try model.loadWeights(path: dir + "/torch-tiny.safetensors")
        let expected = try JSONDecoder().decode(
            [[Float]].self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/torch-tiny-logits.json")))
        let logits = model.logits(sharedMNIST.test.images.samples(0..<expected.count))
        #expect(maxAbsDifference(logits.scalars, expected.flatMap { $0 }) < 1e-4)
    }

    func loadError(_ data: Data) -> String {
        let dir = TemporaryDirectory()
        let path = dir.write("w.safetensors", data)
        var model = tinyModel()
        do { try model.loadWeights(path: path); return "no error" } catch {
            return error.description.replacingOccurrences(of: path, with: "w.safetensors")
        }
    }

    func file(header: String, dataBytes: Int) -> Data {
        var d = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(contentsOf: Array(header.utf8))
        d.append(Data(count: dataBytes))
        return d
    }

    @Test func malformedFilesAreClearErrors() {
        #expect(
            loadError(Data([1, 2, 3]))
                == "w.safetensors: error: not a valid safetensors file: file is only 3 bytes long")
        #expect(
            loadError(file(header: "{not json", dataBytes: 0))
                == "w.safetensors: error: not a valid safetensors file: header is not valid JSON")
        var huge = Data(); withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { huge.append(contentsOf: $0) };
        huge.append(Data(count: 16))
        #expect(loadError(huge).contains("header length 1099511627776 does not fit a 24-byte file"))
        #expect(
            loadError(file(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,64]}}"#, dataBytes: 16))
                .contains("entry 'a' has data_offsets [0, 64] that do not match shape [4] in 16 bytes of data"))
        #expect(
            loadError(file(header: #"{"a":{"dtype":"F32"}}"#, dataBytes: 0))
                == "w.safetensors: error: not a valid safetensors file: entry 'a' needs dtype, shape and data_offsets")
    }

    @Test func mismatchesNameTheKeyAndBothShapes() {
        let model = tinyModel()
        var entries = model.parameters.entries.map { ($0.key, model.parameters[$0.key]!) }
        entries[0].1 = Tensor(shape: [3, 3, 4, 1], scalars: entries[0].1.scalars)
        #expect(
            loadError(SafeTensors.encode(entries))
                == "w.safetensors: error: tensor 'conv2d_1/kernel' has shape [3, 3, 4, 1], but the model expects [3, 3, 1, 4]"
        )
        #expect(
            loadError(SafeTensors.encode(Array(entries.dropFirst())))
                == "w.safetensors: error: missing tensor 'conv2d_1/kernel' (expected shape [3, 3, 1, 4])")
        var nan = model.parameters.entries.map { ($0.key, model.parameters[$0.key]!) }
        nan[3].1.scalars[0] = .nan
        #expect(
            loadError(SafeTensors.encode(nan))
                == "w.safetensors: error: tensor 'conv2d_2/bias' contains NaN or infinite values")
        #expect(
            loadError(
                file(header: #"{"conv2d_1/kernel":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, dataBytes: 4))
                == "w.safetensors: error: tensor 'conv2d_1/kernel' has dtype F16, expected F32")
    }

    @Test func missingFile() {
        var model = tinyModel()
        #expect(
            throws: WeightsError.unreadable(file: "/nonexistent.safetensors", reason: "no such file or not readable")
        ) {
            try model.loadWeights(path: "/nonexistent.safetensors")
        }
    }
}
