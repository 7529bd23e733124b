import Common
import Foundation
import Testing
import TestSupport

@testable import CNN

/// Weights are bounded by the machine's memory, not by a fixed parameter count, and a model
/// too large is refused before its weights are decoded, at the layer where they outgrow it.
@Suite struct MemoryBudgetTests {
    static let importFolder = PackagePaths.path("Tests/CNNTests/Fixtures/import")

    @Test("sizes read as a file manager shows them")
    func describesBytes() {
        #expect(MemoryBudget.describe(512) == "512 bytes")
        #expect(MemoryBudget.describe(1_500) == "1.5 KB")
        #expect(MemoryBudget.describe(553_000_000) == "553 MB")
        #expect(MemoryBudget.describe(1_660_000_000) == "1.7 GB")
    }

    @Test("this machine's budget is what /proc/meminfo says is available")
    func machineBudget() throws {
        let meminfo = try String(contentsOfFile: "/proc/meminfo", encoding: .utf8)
        let line = try #require(meminfo.split(separator: "\n").first { $0.hasPrefix("MemAvailable:") })
        let kilobytes = try #require(line.split(separator: " ").dropFirst().first.flatMap { Int($0) })
        let budget = MemoryBudget.machine.bytes
        #expect(budget > 0)
        // Other processes move MemAvailable between the two reads; a cgroup may lower it.
        #expect(budget <= kilobytes * 1024 + 256 << 20)
    }

    @Test("the check names the layer, the parameters and the memory, and lets what fits through")
    func checkNamesTheLayer() throws {
        let budget = MemoryBudget(bytes: 1_000_000_000)
        #expect(throws: Never.self) { try budget.check(parameters: 83_333_333, at: "fc1", bytesPerWeight: 12) }
        #expect(
            throws: MemoryBudget.Exceeded(
                layer: "fc1", parameters: 83_333_334, needed: 1_000_000_008,
                available: 1_000_000_000)
        ) {
            try budget.check(parameters: 83_333_334, at: "fc1", bytesPerWeight: 12)
        }
        #expect(throws: MemoryBudget.Exceeded(layer: "x", parameters: .max, needed: .max, available: 1_000_000_000)) {
            try budget.check(parameters: .max, at: "x", bytesPerWeight: 12)
        }
    }

    /// ONNX's light VGG-19 fills its 143.7 M weights with ConstantOfShape: a 9 KB file.
    static let vgg19 = PackagePaths.path("Tests/CNNTests/Fixtures/onnx-zoo/light_vgg19/model.onnx")

    @Test("an ONNX model too large for the machine is refused at its node, before any weight is decoded")
    func onnxRefusedBeforeLoading() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.vgg19)))
        let started = Date()
        #expect(
            throws: ImportError(
                file: "vgg19.onnx",
                "the weights reach 122,788,928 parameters at layer 'n38', which need about 1.5 GB of memory; this "
                    + "machine has 1.0 GB available")
        ) {
            try ONNXImporter.load(
                bytes: bytes, directory: "", displayPath: "vgg19.onnx", budget: MemoryBudget(bytes: 1_000_000_000))
        }
        // A full load fills and reorders 575 MB of weights (seconds); the refusal reads shapes only.
        #expect(Date().timeIntervalSince(started) < 0.5)
    }

    @Test("a Keras model too large for the machine is refused at its layer from the weights' shapes")
    func kerasRefusedBeforeLoading() throws {
        let path = "\(Self.importFolder)/applications-layers.keras"
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let full = try KerasImporter.load(bytes: bytes, displayPath: "m.keras")
        let parameters = full.parameters.count
        // Enough for half the weights: the refusal names the layer where the file's weights
        // pass that, and the total there.
        let budget = MemoryBudget(bytes: parameters / 2 * MemoryBudget.bytesPerLoadedWeight)
        do {
            _ = try KerasImporter.load(bytes: bytes, displayPath: "m.keras", budget: budget)
            Issue.record("loaded within a budget of half its weights")
        } catch {
            #expect(error.message.hasPrefix("the weights reach "))
            #expect(error.message.contains(" parameters at layer '"))
            #expect(error.message.hasSuffix("this machine has \(MemoryBudget.describe(budget.bytes)) available"))
        }
        #expect(throws: Never.self) {
            try KerasImporter.load(
                bytes: bytes, displayPath: "m.keras",
                budget: MemoryBudget(bytes: parameters * MemoryBudget.bytesPerLoadedWeight))
        }
    }
}
