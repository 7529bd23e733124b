import Foundation
import Testing

@testable import CNNCore

/// Sigmoid and SiLU run an eight-wide exponential (CKernels/activations.c) where the CPU has
/// AVX2: its values and SiLU's gradient agree with double precision to a few float ulp, from
/// where e^x underflows to where it overflows, and on lengths that leave a scalar tail.
@Suite struct VectorExponentialTests {
    /// −88.7…100 in steps of 1/64 (below −88.72, e^−x overflows float), the bounds of the
    /// clamp and values around zero.
    static let inputs: [Float] =
        stride(from: -88.7, through: 100, by: 1.0 / 64).map(Float.init)
        + [-87.4, -87.33654, 88.72283, 88.8, 1e-30, -1e-30, 0, 3e-8, -3e-8, .greatestFiniteMagnitude]

    static func sigmoid(_ x: Float) -> Double { 1 / (1 + exp(-Double(x))) }

    /// The largest error in units of the float spacing at the exact value; below float's
    /// smallest normal number (e^x underflows there, in glibc's `expf` too) the error is
    /// measured in units of that number.
    static func ulps(_ got: [Float], _ exact: [Double]) -> Double {
        zip(got, exact).map { g, e in
            let unit = abs(e) < Double(Float.leastNormalMagnitude) ? Float.leastNormalMagnitude : Float(abs(e)).ulp
            return abs(Double(g) - e) / Double(unit)
        }.max() ?? .infinity
    }

    @Test func sigmoidWithinFourUlp() {
        var y = Self.inputs
        y.withUnsafeMutableBufferPointer { Activation.sigmoid.apply($0.baseAddress!, count: $0.count) }
        #expect(Self.ulps(y, Self.inputs.map(Self.sigmoid)) <= 4)
        #expect(y.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test func siluWithinFourUlp() {
        var y = Self.inputs
        y.withUnsafeMutableBufferPointer { Activation.silu.apply($0.baseAddress!, count: $0.count) }
        let exact = Self.inputs.map { Double($0) * Self.sigmoid($0) }
        #expect(Self.ulps(y, exact) <= 4)
        #expect(y.allSatisfy { $0.isFinite })
    }

    /// Where e^−x overflows, both paths give sigmoid 0, SiLU −0 and no gradient, as glibc's
    /// `expf` does, where the exact values are below 1e−36. (At −∞ both give NaN, ∞ · 0.)
    @Test func beyondOverflowAsTheReference() {
        let x: [Float] = [-88.8, -90, -100, -1e38, -.greatestFiniteMagnitude] + Array(repeating: -95, count: 10)
        for activation in [Activation.sigmoid, .silu] {
            var y = x
            y.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: $0.count) }
            #expect(y.allSatisfy { $0 == 0 }, "\(activation.name): \(y)")
        }
        let dx = Self.siluGradient(x, [Float](repeating: 1, count: x.count))
        #expect(dx.allSatisfy { $0 == 0 }, "\(dx)")
    }

    /// Within 16 ulp of the size of its terms, `|dy| · s · (1 + |x| (1 − s))` (glibc's path: 11):
    /// near x = −1.28 the exact gradient is zero, and the float formula's cancellation leaves
    /// even glibc's path 1,000 ulp from the exact value there.
    @Test func siluGradientWithinSixteenUlpOfItsTerms() {
        let x = Self.inputs.filter { abs($0) < 1e30 }
        let dy = x.indices.map { Float($0 % 7) - 3 }
        let dx = Self.siluGradient(x, dy)
        let worst = x.indices.map { i -> Double in
            let s = Self.sigmoid(x[i]), g = Double(dy[i]), v = Double(x[i])
            let scale = abs(g) * s * (1 + abs(v) * (1 - s))
            let unit = scale < Double(Float.leastNormalMagnitude) ? Float.leastNormalMagnitude : Float(scale).ulp
            return abs(Double(dx[i]) - g * s * (1 + v * (1 - s))) / Double(unit)
        }.max()!
        #expect(worst <= 16)
    }

    /// SiLU's input gradient for inputs `x` and output gradient `dy`.
    static func siluGradient(_ x: [Float], _ dy: [Float]) -> [Float] {
        var dx = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { xp in
            dy.withUnsafeBufferPointer { dyp in
                dx.withUnsafeMutableBufferPointer { out in
                    Activation.silu.backward(
                        output: xp.baseAddress!, outputGradient: dyp.baseAddress!, into: out.baseAddress!,
                        count: x.count, preActivation: xp.baseAddress!)
                }
            }
        }
        return dx
    }

    @Test func theVectorPathRunsWhereTheCPUHasIt() {
        #expect(Activation.vectorExp == ConvolutionKernel.fastKernelsAvailable)
    }
}
