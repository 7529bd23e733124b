import Common
import Foundation

/// Why a tensor's values could not be read.
struct TensorDataError: Error {
    let reason: String
}

extension ONNXTensor {
    /// The bytes of `raw_data`, or of the external file range the tensor points at. The
    /// file must be a regular file whose real path stays inside `directory`: no `..`, no
    /// absolute path, no symbolic link out, no pipe or device.
    func rawBytes(directory: String) throws(TensorDataError) -> ArraySlice<UInt8>? {
        if let raw { return raw }
        guard let location = external["location"] else { return nil }
        guard !location.hasPrefix("/"), !location.split(separator: "/").contains("..") else {
            throw TensorDataError(reason: "external data location '\(location)' leaves the model's folder")
        }
        func number(_ key: String) throws(TensorDataError) -> Int? {
            guard let text = external[key] else { return nil }
            guard let value = Int(text), value >= 0 else {
                throw TensorDataError(
                    reason: "external data \(key) '\(text.prefix(40))' of '\(name)' is not a whole number of bytes")
            }
            return value
        }
        let offset = try number("offset") ?? 0
        let (expected, overflow) = elementCount.multipliedReportingOverflow(by: byteWidth)
        guard elementCount >= 0, !overflow else {
            throw TensorDataError(reason: "tensor '\(name)' has impossible dimensions \(dims)")
        }
        let length = try number("length") ?? expected
        func failure(_ error: ConfinedFile.Failure) -> TensorDataError {
            TensorDataError(reason: "external data file " + error.describe(location, folder: "the model's folder"))
        }
        let file: ConfinedFile
        do {
            file = try ConfinedFile((directory as NSString).appendingPathComponent(location), inside: directory)
        } catch { throw failure(error) }
        guard offset <= file.size, length <= file.size - offset else {
            throw TensorDataError(
                reason: "external data for '\(name)' (\(length) bytes from offset \(offset)) lies past the end of "
                    + "'\(location)' (\(file.size) bytes)")
        }
        do { return ArraySlice(try file.bytes(offset: offset, count: length)) } catch { throw failure(error) }
    }

    private var byteWidth: Int {
        switch DataType(rawValue: dataType) {
        case .float, .int32: 4
        case .int64, .double: 8
        case .float16: 2
        default: 1
        }
    }

    /// The values as Float32 (from float, float16 or double data).
    func floats(directory: String) throws(TensorDataError) -> [Float] {
        let count = elementCount
        let values: [Float]
        switch DataType(rawValue: dataType) {
        case .float:
            if let bytes = try rawBytes(directory: directory) {
                guard bytes.count == 4 * count else { throw sizeError(bytes.count) }
                values = ProtobufReader.littleEndianFloats(bytes)
            } else {
                values = floatData
            }
        case .float16:
            if let bytes = try rawBytes(directory: directory) {
                guard bytes.count == 2 * count else { throw sizeError(bytes.count) }
                values = littleEndianWords(bytes, width: 2).map { halfToFloat(UInt16(truncatingIfNeeded: $0)) }
            } else {
                // float16 values stored in int32_data, one per entry.
                values = int32Data.map { halfToFloat(UInt16(truncatingIfNeeded: $0)) }
            }
        case .double:
            if let bytes = try rawBytes(directory: directory) {
                guard bytes.count == 8 * count else { throw sizeError(bytes.count) }
                values = littleEndianWords(bytes, width: 8).map { Float(Double(bitPattern: $0)) }
            } else {
                values = doubleData.map(Float.init)
            }
        case .int64, .int32:
            values = try integers(directory: directory).map(Float.init)
        default:
            throw TensorDataError(reason: "tensor '\(name)' has data type \(dataType), not a floating-point type")
        }
        guard values.count == count else { throw sizeError(values.count) }
        return values
    }

    /// The values as integers (from int64 or int32 data).
    func integers(directory: String) throws(TensorDataError) -> [Int64] {
        let count = elementCount
        var values: [Int64]
        switch DataType(rawValue: dataType) {
        case .int64:
            if let bytes = try rawBytes(directory: directory) {
                guard bytes.count == 8 * count else { throw sizeError(bytes.count) }
                values = littleEndianWords(bytes, width: 8).map { Int64(bitPattern: $0) }
            } else {
                values = int64Data
            }
        case .int32:
            if let bytes = try rawBytes(directory: directory) {
                guard bytes.count == 4 * count else { throw sizeError(bytes.count) }
                values = littleEndianWords(bytes, width: 4).map {
                    Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: $0)))
                }
            } else {
                values = int32Data
            }
        case .float:
            values = try floats(directory: directory).map { Int64($0) }
        default:
            throw TensorDataError(reason: "tensor '\(name)' has data type \(dataType), not an integer type")
        }
        guard values.count == count else { throw sizeError(values.count) }
        return values
    }

    private func sizeError(_ found: Int) -> TensorDataError {
        TensorDataError(
            reason: "tensor '\(name)' of shape \(dims) holds \(found) values or bytes, not what its shape needs")
    }
}

/// Little-endian words of `width` bytes (2, 4 or 8), zero-extended.
func littleEndianWords(_ bytes: ArraySlice<UInt8>, width: Int) -> [UInt64] {
    stride(from: bytes.startIndex, to: bytes.endIndex - width + 1, by: width).map { i in
        (0..<width).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * UInt64($1)) }
    }
}

/// IEEE 754 half precision to single.
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h >> 15) << 31, exponent = UInt32((h >> 10) & 0x1F), mantissa = UInt32(h & 0x3FF)
    if exponent == 0 {
        // Zero or subnormal: mantissa · 2^-24.
        let value = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
        return sign != 0 ? -value : value
    }
    if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
    return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
}
