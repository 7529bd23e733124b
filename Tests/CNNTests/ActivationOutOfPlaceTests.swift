import Testing
@testable import CNNCore

/// A standalone activation layer computes `f(x)` from its input buffer into its output in one
/// pass: the same bits as copying the input and applying the activation in place.
@Suite struct ActivationOutOfPlaceTests {
    static let activations: [Activation] = [
        .relu, .clip(low: 0, high: 6), .leakyReLU(slope: 0.2), .sigmoid, .hardSigmoid(alpha: 0.2, beta: 0.5),
        .tanh, .silu, .hardSwish, .gelu(approximate: false), .gelu(approximate: true), .linear,
    ]

    @Test(arguments: activations)
    func outOfPlaceMatchesInPlace(_ activation: Activation) {
        // The bends (0, ±3, 6), signed zeros, large values, and odd counts for the vector tails.
        var x: [Float] = [0, -0.0, 3, -3, 6, -6, 1e-30, -1e-30, 100, -100, 0.5, -0.5]
        x += (0..<1001).map { Float($0 - 500) / 61 }
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: $0.count) }
        var outOfPlace = [Float](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { input in
            outOfPlace.withUnsafeMutableBufferPointer {
                activation.apply(input.baseAddress!, into: $0.baseAddress!, count: x.count)
            }
        }
        #expect(outOfPlace.map(\.bitPattern) == inPlace.map(\.bitPattern))
    }
}
