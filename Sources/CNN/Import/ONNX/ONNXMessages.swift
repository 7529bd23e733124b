import Foundation

/// The parts of an ONNX model (onnx/onnx.proto) vizsite reads, decoded from protobuf.
struct ONNXModel {
    var irVersion: Int64 = 0
    var producer = ""
    /// Operator-set versions by domain ("" is the default ONNX domain).
    var opsets: [String: Int64] = [:]
    var graph = ONNXGraph()

    /// ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8.
    init(bytes: ArraySlice<UInt8>) throws(ProtobufReader.Malformed) {
        for field in try ProtobufReader.fields(bytes) {
            switch field.number {
            case 1: irVersion = field.int64
            case 2: producer = field.string
            case 7: graph = try ONNXGraph(bytes: field.bytes)
            case 8:
                var domain = "", version: Int64 = 0
                for f in try ProtobufReader.fields(field.bytes) {
                    if f.number == 1 { domain = f.string } else if f.number == 2 { version = f.int64 }
                }
                opsets[domain] = version
            default: break
            }
        }
    }
}

struct ONNXGraph {
    var nodes: [ONNXNode] = []
    var initializers: [ONNXTensor] = []
    var inputs: [ONNXValueInfo] = []
    var outputs: [ONNXValueInfo] = []

    init() {}

    /// GraphProto: node 1, initializer 5, input 11, output 12.
    init(bytes: ArraySlice<UInt8>) throws(ProtobufReader.Malformed) {
        for field in try ProtobufReader.fields(bytes) {
            switch field.number {
            case 1: nodes.append(try ONNXNode(bytes: field.bytes))
            case 5: initializers.append(try ONNXTensor(bytes: field.bytes))
            case 11: inputs.append(try ONNXValueInfo(bytes: field.bytes))
            case 12: outputs.append(try ONNXValueInfo(bytes: field.bytes))
            default: break
            }
        }
    }
}

/// A graph input or output: its name and shape (nil for a dimension given by name, such
/// as the batch size).
struct ONNXValueInfo {
    var name = ""
    var shape: [Int64?] = []
    var elementType: Int64 = 0

    /// ValueInfoProto: name 1, type 2 → TypeProto.tensor_type 1 → elem_type 1, shape 2 →
    /// dim 1 → dim_value 1 | dim_param 2.
    init(bytes: ArraySlice<UInt8>) throws(ProtobufReader.Malformed) {
        for field in try ProtobufReader.fields(bytes) {
            if field.number == 1 { name = field.string }
            guard field.number == 2 else { continue }
            for type in try ProtobufReader.fields(field.bytes) where type.number == 1 {
                for tensor in try ProtobufReader.fields(type.bytes) {
                    if tensor.number == 1 { elementType = tensor.int64 }
                    guard tensor.number == 2 else { continue }
                    for dim in try ProtobufReader.fields(tensor.bytes) where dim.number == 1 {
                        let value = try ProtobufReader.fields(dim.bytes).first { $0.number == 1 }
                        shape.append(value?.int64)
                    }
                }
            }
        }
    }
}

struct ONNXNode {
    var name = ""
    var opType = ""
    var domain = ""
    var inputs: [String] = []
    var outputs: [String] = []
    var attributes: [String: ONNXAttribute] = [:]

    /// NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7.
    init(bytes: ArraySlice<UInt8>) throws(ProtobufReader.Malformed) {
        for field in try ProtobufReader.fields(bytes) {
            switch field.number {
            case 1: inputs.append(field.string)
            case 2: outputs.append(field.string)
            case 3: name = field.string
            case 4: opType = field.string
            case 5:
                let attribute = try ONNXAttribute(bytes: field.bytes)
                attributes[attribute.name] = attribute
            case 7: domain = field.string
            default: break
            }
        }
    }
}

struct ONNXAttribute {
    var name = ""
    var float: Float?
    var int: Int64?
    var string: String?
    var tensor: ONNXTensor?
    var floats: [Float] = []
    var ints: [Int64] = []
    /// Set when the attribute holds a subgraph (If, Loop), which vizsite cannot run.
    var hasGraph = false

    /// AttributeProto: name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8, graphs 11.
    init(bytes: ArraySlice<UInt8>) throws(ProtobufReader.Malformed) {
        for field in try ProtobufReader.fields(bytes) {
            switch field.number {
            case 1: name = field.string
            case 2: float = field.float
            case 3: int = field.int64
            case 4: string = field.string
            case 5: tensor = try ONNXTensor(bytes: field.bytes)
            case 6, 11: hasGraph = true
            case 7: floats += try ProtobufReader.floats(field)
            case 8: ints += try ProtobufReader.integers(field)
            default: break
            }
        }
    }
}

/// A tensor: an initializer (weights) or a constant. Its values may sit in the message
/// (raw_data or typed fields) or in a separate file (external data, as the
/// torch.export-based exporter writes them: `model.onnx.data`).
struct ONNXTensor {
    enum DataType: Int64 {
        case float = 1, uint8 = 2, int8 = 3, int32 = 6, int64 = 7, bool = 9, float16 = 10, double = 11
    }

    var name = ""
    var dims: [Int64] = []
    var dataType: Int64 = 0
    var raw: ArraySlice<UInt8>?
    var floatData: [Float] = []
    var int64Data: [Int64] = []
    var int32Data: [Int64] = []
    var doubleData: [Double] = []
    /// external_data entries: location, offset, length.
    var external: [String: String] = [:]

    /// TensorProto: dims 1, data_type 2, float_data 4, int32_data 5, int64_data 7, name 8,
    /// raw_data 9, double_data 10, external_data 13, data_location 14.
    init(bytes: ArraySlice<UInt8>) throws(ProtobufReader.Malformed) {
        for field in try ProtobufReader.fields(bytes) {
            switch field.number {
            case 1: dims += try ProtobufReader.integers(field)
            case 2: dataType = field.int64
            case 4: floatData += try ProtobufReader.floats(field)
            case 5: int32Data += try ProtobufReader.integers(field)
            case 7: int64Data += try ProtobufReader.integers(field)
            case 8: name = field.string
            case 9: raw = field.bytes
            case 10:
                if field.wireType == .lengthDelimited {
                    let b = field.bytes
                    for i in stride(from: b.startIndex, to: b.endIndex - 7, by: 8) {
                        var bits: UInt64 = 0
                        for j in 0..<8 { bits |= UInt64(b[i + j]) << (8 * UInt64(j)) }
                        doubleData.append(Double(bitPattern: bits))
                    }
                } else {
                    doubleData.append(Double(bitPattern: field.integer))
                }
            case 13:
                var key = "", value = ""
                for f in try ProtobufReader.fields(field.bytes) {
                    if f.number == 1 { key = f.string } else if f.number == 2 { value = f.string }
                }
                external[key] = value
            default: break
            }
        }
    }

    init(name: String, dims: [Int64], int64s: [Int64]) {
        self.name = name
        self.dims = dims
        dataType = DataType.int64.rawValue
        int64Data = int64s
    }

    /// The number of values, or `Int.max` when the dimensions are negative or overflow.
    var elementCount: Int {
        var count = 1
        for dim in dims {
            guard dim >= 0 else { return Int.max }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(clamping: dim))
            if overflow { return Int.max }
            count = product
        }
        return count
    }
}
