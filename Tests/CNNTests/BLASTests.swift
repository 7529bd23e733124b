import CNN
import Testing
import TestSupport

@Suite struct BLASTests {
    @Test func kernelsAreKnown() {
        #expect(!BLAS.coreName.isEmpty && BLAS.coreName != "unknown")
    }

    /// Split GEMMs (one image, several threads) equal the single-threaded result.
    @Test func threadedForwardMatchesSingleThreaded() {
        let model = tinyModel(filters: (32, 64), hidden: 128)
        let x = randomTensor([1, 28, 28, 1], seed: 3, low: 0, high: 1)
        let one = model.outputs(x, threads: 1), two = model.outputs(x, threads: 2)
        for (a, b) in zip(one, two) { #expect(maxAbsDifference(a.scalars, b.scalars) < 1e-5) }
    }

    /// One-row products go through GEMV: compare both orientations with a direct sum.
    @Test func singleRowDenseMatchesDirectSum() {
        let dense = Dense(name: "d", inputShape: [300], units: 700)
        let model = Model(name: "m", inputShape: [300], layers: [dense], seed: 2)
        let x = randomTensor([1, 300], seed: 4)
        let y = model.outputs(x, threads: 2)[0]
        let w = model.parameters["d/kernel"]!
        for u in [0, 349, 699] {
            let expected = (0..<300).reduce(Float(0)) { $0 + x.scalars[$1] * w[$1, u] }
            #expect(abs(y.scalars[u] - expected) < 1e-4)
        }
        // Backward, one row: dx = dy · Wᵀ.
        let ws = Workspace(model: model, capacity: 1)
        ws.setInput(x)
        model.forward(ws, batch: 1, threads: 2)
        let dy = randomTensor([1, 700], seed: 5)
        ws.setGradient(of: 0, dy)
        model.backward(ws, batch: 1, from: 0, threads: 2)
        let dx = ws.gradient(of: -1, batch: 1, shape: [300])
        for i in [0, 150, 299] {
            let expected = (0..<700).reduce(Float(0)) { $0 + dy.scalars[$1] * w[i, $1] }
            #expect(abs(dx.scalars[i] - expected) < 1e-4)
        }
    }
}

@Suite struct BLASCoreChoiceTests {
    let avx2: Set = ["sse3", "avx", "avx2", "fma"]
    let avx512: Set = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"]

    @Test func fallbackKernelsAreReplaced() {
        #expect(BLAS.preferredCoreType(current: "Prescott", cpuFlags: avx512) == "SkylakeX")
        #expect(BLAS.preferredCoreType(current: "Haswell", cpuFlags: avx512) == "SkylakeX")
        #expect(BLAS.preferredCoreType(current: "Prescott", cpuFlags: avx2) == "Haswell")
        #expect(BLAS.preferredCoreType(current: "Sandybridge", cpuFlags: avx2) == "Haswell")
    }

    @Test func rightKernelsAreKept() {
        #expect(BLAS.preferredCoreType(current: "SkylakeX", cpuFlags: avx512) == nil)
        #expect(BLAS.preferredCoreType(current: "Zen", cpuFlags: avx2) == nil)
        #expect(BLAS.preferredCoreType(current: "Prescott", cpuFlags: ["sse3"]) == nil)
    }
}
