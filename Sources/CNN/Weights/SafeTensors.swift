import Common
import Foundation

/// Errors reading or matching a weights file; each names the file and, where one is
/// involved, the tensor key and both shapes.
public enum WeightsError: SourceErrorConvertible, Sendable, Equatable {
    case unreadable(file: String, reason: String)
    case malformedHeader(file: String, reason: String)
    case missingKey(file: String, key: String, expected: [Int])
    case wrongShape(file: String, key: String, expected: [Int], found: [Int])
    case wrongDtype(file: String, key: String, found: String)
    case nonFinite(file: String, key: String)

    public var sourceError: SourceError {
        func s(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
        let (file, message): (String, String) =
            switch self {
            case let .unreadable(file, reason): (file, "cannot read weights: \(reason)")
            case let .malformedHeader(file, reason): (file, "not a valid safetensors file: \(reason)")
            case let .missingKey(file, key, expected): (file, "missing tensor '\(key)' (expected shape \(s(expected)))")
            case let .wrongShape(file, key, expected, found):
                (file, "tensor '\(key)' has shape \(s(found)), but the model expects \(s(expected))")
            case let .wrongDtype(file, key, found): (file, "tensor '\(key)' has dtype \(found), expected F32")
            case let .nonFinite(file, key): (file, "tensor '\(key)' contains NaN or infinite values")
            }
        return SourceError(message, at: SourceLocation(file: file, line: 0, column: 0))
    }
}

/// The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte
/// little-endian header length, a JSON header mapping each key to its dtype, shape and
/// byte range, then the raw little-endian data. vizsite reads and writes F32 tensors.
public enum SafeTensors {
    /// Header size limit, as the reference implementation enforces (100 MB).
    static let maxHeaderSize = 100_000_000

    /// Reads every tensor of the file; all must be F32.
    public static func read(path: String) throws(WeightsError) -> [String: Tensor] {
        let data: Data
        do { data = try ConfinedFile.read(path, inside: nil, limit: 1 << 30) } catch {
            if error == .missing { throw .unreadable(file: path, reason: "no such file or not readable") }
            throw .unreadable(file: path, reason: error.describe((path as NSString).lastPathComponent, folder: ""))
        }
        return try parse(data, file: path)
    }

    public static func parse(_ data: Data, file: String) throws(WeightsError) -> [String: Tensor] {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else {
            throw .malformedHeader(file: file, reason: "file is only \(bytes.count) bytes long")
        }
        var headerLength = 0
        for i in (0..<8).reversed() { headerLength = headerLength << 8 | Int(bytes[i]) }
        guard headerLength > 0, headerLength <= min(maxHeaderSize, bytes.count - 8) else {
            throw .malformedHeader(
                file: file, reason: "header length \(headerLength) does not fit a \(bytes.count)-byte file")
        }
        let header: [String: SafeTensorsHeaderEntry]
        do {
            header = try JSONDecoder().decode(
                [String: SafeTensorsHeaderEntry].self, from: Data(bytes[8..<8 + headerLength]))
        } catch DecodingError.typeMismatch {
            throw .malformedHeader(file: file, reason: "header is not a JSON object")
        } catch {
            throw .malformedHeader(file: file, reason: "header is not valid JSON")
        }
        let dataStart = 8 + headerLength, dataCount = bytes.count - dataStart
        var tensors: [String: Tensor] = [:]
        for (key, value) in header where key != "__metadata__" {
            guard case let .tensor(dtype, shape, offsets) = value, offsets.count == 2 else {
                throw .malformedHeader(file: file, reason: "entry '\(key)' needs dtype, shape and data_offsets")
            }
            guard dtype == "F32" else { throw .wrongDtype(file: file, key: key, found: dtype) }
            guard shape.allSatisfy({ $0 >= 0 && $0 < 1 << 31 }) else {
                throw .malformedHeader(file: file, reason: "entry '\(key)' has an invalid shape \(shape)")
            }
            let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end <= dataCount, end - begin == count * 4 else {
                throw .malformedHeader(
                    file: file,
                    reason:
                        "entry '\(key)' has data_offsets [\(begin), \(end)] that do not match shape \(shape) in "
                        + "\(dataCount) bytes of data"
                )
            }
            var scalars = [Float](repeating: 0, count: count)
            scalars.withUnsafeMutableBytes { out in
                bytes.withUnsafeBytes { src in
                    out.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[dataStart + begin..<dataStart + end]))
                }
            }
            // The format is little-endian; so is every platform Swift runs vizsite on.
            tensors[key] = Tensor(shape: shape, scalars: scalars)
        }
        return tensors
    }

    /// Encodes tensors in the given order, with optional string metadata.
    public static func encode(_ tensors: [(key: String, tensor: Tensor)], metadata: [String: String] = [:]) -> Data {
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (key, tensor) in tensors {
            let size = tensor.count * 4
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append(
                "\(jsonString(key)):{\"dtype\":\"F32\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(offset),\(offset + size)]}"
            )
            offset += size
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }  // pad so the data is 8-byte aligned
        var out = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for (_, tensor) in tensors { tensor.scalars.withUnsafeBytes { out.append(contentsOf: $0) } }
        return out
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension Model {
    /// Loads the weights at `path` into the model: every parameter key must be present
    /// with the model's shape, as F32 with finite values. Extra keys are ignored.
    public mutating func loadWeights(path: String) throws(WeightsError) {
        let tensors = try SafeTensors.read(path: path)
        try loadWeights(tensors, file: path)
    }

    public mutating func loadWeights(_ tensors: [String: Tensor], file: String) throws(WeightsError) {
        var updated = parameters
        for entry in parameters.entries {
            guard let tensor = tensors[entry.key] else {
                throw .missingKey(file: file, key: entry.key, expected: entry.shape)
            }
            guard tensor.shape == entry.shape else {
                throw .wrongShape(file: file, key: entry.key, expected: entry.shape, found: tensor.shape)
            }
            guard tensor.scalars.allSatisfy(\.isFinite) else { throw .nonFinite(file: file, key: entry.key) }
            updated.values.replaceSubrange(entry.range, with: tensor.scalars)
        }
        parameters = updated
    }

    /// The weights as safetensors bytes, keys in layer order.
    public func weightsData(metadata: [String: String] = [:]) -> Data {
        SafeTensors.encode(parameters.entries.map { ($0.key, parameters[$0.key]!) }, metadata: metadata)
    }

    /// Writes the weights to `path` atomically (a temporary file renamed into place).
    public func saveWeights(path: String, metadata: [String: String] = [:]) throws(WeightsError) {
        do {
            try weightsData(metadata: metadata).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .unreadable(file: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

/// One entry of a safetensors header: a tensor's dtype, shape and byte range, or anything
/// else (`__metadata__`'s strings, or an entry that is not a tensor, which the reader
/// rejects by name).
enum SafeTensorsHeaderEntry: Decodable {
    case tensor(dtype: String, shape: [Int], dataOffsets: [Int])
    case other

    private enum Key: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }

    init(from decoder: any Decoder) throws {
        guard let fields = try? decoder.container(keyedBy: Key.self),
            let dtype = try? fields.decode(String.self, forKey: .dtype),
            let shape = try? fields.decode([Int].self, forKey: .shape),
            let offsets = try? fields.decode([Int].self, forKey: .dataOffsets)
        else {
            self = .other
            return
        }
        self = .tensor(dtype: dtype, shape: shape, dataOffsets: offsets)
    }
}
