/// The matrix product of two computed inputs over their last two axes, batched over the
/// axes before (ONNX `MatMul` of two tensors, PyTorch's `@`): `[…, m, k] · […, k, n]`.
/// It is a Vision Transformer's attention: queries times keys, then the softmax of that
/// times the values. Both inputs have the same leading axes.
public struct MatMul: Layer {
    public let name: String
    public let inputShapes: [[Int]]

    public var kind: String { "MatMul" }
    public var inputShape: [Int] { inputShapes[0] }
    public var outputShape: [Int] { Array(inputShapes[0].dropLast()) + [inputShapes[1].last!] }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { matrices * m * k * n }

    private var m: Int { inputShapes[0][inputShapes[0].count - 2] }
    private var k: Int { inputShapes[0].last! }
    private var n: Int { inputShapes[1].last! }
    /// The matrices in one sample: the product of the leading axes.
    private var matrices: Int { inputShapes[0].dropLast(2).reduce(1, *) }

    /// Whether `b` can multiply `a`: both at least 2-D, the same leading axes, `a`'s
    /// columns `b`'s rows.
    public static func fits(_ a: [Int], _ b: [Int]) -> Bool {
        a.count >= 2 && a.count == b.count && a.dropLast(2) == b.dropLast(2) && a.last == b[b.count - 2]
    }

    public init(name: String, inputShapes: [[Int]]) {
        precondition(inputShapes.count == 2 && Self.fits(inputShapes[0], inputShapes[1]), "MatMul: shapes differ")
        self.name = name
        self.inputShapes = inputShapes
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    public func forward(_ io: LayerIO) {
        let (m, k, n) = (self.m, self.k, self.n)
        for p in 0..<io.batch * matrices {
            BLAS.gemm(
                m: m, n: n, k: k, a: io.input + p * m * k, lda: k, b: io.extraInputs[0] + p * k * n, ldb: n,
                beta: 0, c: io.output + p * m * n, ldc: n, threads: io.threads)
        }
    }

    /// dA = dY · Bᵀ, dB = Aᵀ · dY.
    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        let (m, k, n) = (self.m, self.k, self.n)
        for p in 0..<io.batch * matrices {
            let a = io.input + p * m * k, b = io.extraInputs[0] + p * k * n, dy = gradients.output + p * m * n
            if let da = gradients.input {
                BLAS.gemm(
                    transB: true, m: m, n: k, k: n, a: dy, lda: n, b: b, ldb: n, beta: 0, c: da + p * m * k, ldc: k,
                    threads: io.threads)
            }
            if let db = gradients.extraInputs[0] {
                BLAS.gemm(
                    transA: true, m: k, n: n, k: m, a: a, lda: k, b: dy, ldb: n, beta: 0, c: db + p * k * n, ldc: n,
                    threads: io.threads)
            }
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension MatMul {
    public var operation: OperationDescription { OperationDescription("matmul") }
    public var gridMapping: GridMapping { .noGrid }
    /// Both operands are computed: a product of inputs, as `Multiply` is.
    public var propagation: PropagationRole { .product }
}
