import Foundation
import Render
import Testing
import TestSupport

@Suite struct ColormapTests {
    struct Sample: Decodable { let x: [Float]; let rgb: [[UInt8]] }

    /// Every colormap against matplotlib's own `cmap(x, bytes=True)` at points that probe
    /// both ends, the middle and the index rounding (Fixtures, made by
    /// Benchmarks/tools/colormap_tables.py).
    @Test(arguments: Colormap.names)
    func matchesMatplotlib(name: String) throws {
        let data = try Data(
            contentsOf: URL(fileURLWithPath: PackagePaths.path("Tests/RenderTests/Fixtures/matplotlib-colormaps.json")))
        let samples = try JSONDecoder().decode([String: Sample].self, from: data)
        let sample = try #require(samples[name])
        let map = try #require(Colormap.named(name))
        for (x, rgb) in zip(sample.x, sample.rgb) {
            let c = map.color(x)
            #expect([c.r, c.g, c.b] == rgb, "\(name)(\(x))")
        }
    }

    /// Values known independently of matplotlib's code.
    @Test func knownEndpoints() throws {
        let viridis = try #require(Colormap.named("viridis")), gray = try #require(Colormap.named("gray"))
        #expect(viridis.table[0] == RGBA(68, 1, 84))
        // viridis(1) = (0.993248, 0.906157, 0.143936); matplotlib truncates ×255 to bytes.
        #expect(viridis.table[255] == RGBA(253, 231, 36))
        // gray is the identity ramp (truncated: 255·i/255 in floating point).
        for i in 0..<256 {
            let r = Int(gray.table[i].r)
            #expect(r == i || r == i - 1)
        }
        let bwr = try #require(Colormap.named("bwr"))
        #expect(bwr.table[0] == RGBA(0, 0, 255))
        #expect(bwr.table[255] == RGBA(255, 0, 0))
        #expect(bwr.isDiverging && !viridis.isDiverging)
        #expect(Colormap.named("virdis") == nil)
        #expect(Colormap.names.count == 11)
    }

    @Test func nanAndOutOfRangeAreClamped() throws {
        let map = try #require(Colormap.named("jet"))
        #expect(map.color(.nan) == map.table[0])
        #expect(map.color(-3) == map.table[0])
        #expect(map.color(7) == map.table[255])
    }
}

@Suite struct NormalizationTests {
    @Test func minMaxAndSymmetric() {
        let v: [Float] = [-1, 0, 3]
        #expect(Normalization.minMax.apply(v).values == [0, 0.25, 1])
        let s = Normalization.symmetric.apply(v)
        #expect(s.values == [1.0 / 3.0, 0.5, 1])
        #expect((s.low, s.high) == (-3, 3))
    }

    @Test func percentileClipsLikeNumpy() {
        let v = (0...100).map(Float.init)
        let (low, high) = Normalization.percentile(low: 1, high: 99).range(of: v)
        #expect((low, high) == (1, 99))
        // numpy.percentile([0, 10], 25) == 2.5
        #expect(Normalization.percentile(low: 25, high: 100).range(of: [0, 10]).low == 2.5)
        #expect(Normalization.percentile(low: 1, high: 99).apply(v).values.first == 0)
    }

    @Test func constantMapsAreFlatNeverNaN() {
        for n in [Normalization.minMax, .symmetric, .percentile(low: 1, high: 99)] {
            let out = n.apply([0, 0, 0, 0]).values
            #expect(out.allSatisfy { $0.isFinite })
            #expect(Set(out).count == 1)
        }
        #expect(Normalization.symmetric.apply([0, 0]).values == [0.5, 0.5])
        #expect(Normalization.minMax.apply([2, .nan, 4]).values == [0, 0, 1])
    }

    @Test func descriptionsNameTheMethod() {
        #expect(Normalization.percentile(low: 1, high: 99).description == "percentiles 1–99, clipped")
        #expect(Normalization.symmetric.description == "symmetric around 0")
    }
}
