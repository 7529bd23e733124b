import Common
import Foundation
import Testing

/// The JSON reader behind `JSONValue.parse`: RFC 8259's grammar, exact numbers, escapes.
@Suite struct JSONReaderTests {
    @Test func readsEveryKindOfValue() throws {
        let text =
            #" { "a" : [ 1 , -0.5e-3, 1E2, 0, -0 ], "b": {"c": [], "d": {}}, "e": "x\"\\\/\b\f\n\r\tz", "#
            + #""f": "\u00e9\u4E2D\ud83d\ude00", "g": true, "h": false, "i": null, "a": "last" } "#
        let parsed = try JSONValue.parse(Data(text.utf8))
        #expect(
            parsed == [
                "a": "last", "b": ["c": [], "d": [:]], "e": "x\"\\/\u{8}\u{c}\n\r\tz", "f": "é中😀", "g": true,
                "h": false, "i": nil,
            ])
        #expect(try JSONValue.parse(Data("[1, -0.5e-3, 1E2, 0]".utf8)) == [1, -0.0005, 100, 0])
        #expect(try JSONValue.parse(Data(#""中文 text""#.utf8)) == "中文 text")
    }

    /// Numbers read as the correctly rounded Double of their decimal text, as JSONDecoder's.
    @Test func numbersRoundTripThroughJSONEncoder() throws {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [
            0.1, 1.0 / 3, Double.leastNonzeroMagnitude, 1.7976931348623157e308, -2.5e-8, 123_456_789_012_345_680,
        ]
        for _ in 0..<2000 {
            values.append(Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random() ? 1 : -1))
            values.append(Double(Float.random(in: -1000...1000)))
        }
        let data = try JSONEncoder().encode(values)
        let parsed = try JSONValue.parse(data)
        #expect(parsed == .array(values.map { .number($0) }))
    }

    @Test func refusesWhatIsNotJSON() {
        for text in [
            "", "{", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "[1e]", "[+1]", "tru", "nul", "[NaN]",
            "\"abc", "\"a\u{1}b\"", "\"\\x\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\u12\"", "[1] 2", "{1: 2}",
            "[1e999]", String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        ] {
            #expect(throws: (any Error).self, "\(text.prefix(20))") { try JSONValue.parse(Data(text.utf8)) }
        }
        #expect(throws: (any Error).self) { try JSONValue.parse(Data([0x22, 0xFF, 0x22])) }
    }

    /// What JSONEncoder writes of nested Encodable values reads back as the same tree.
    @Test func readsWhatJSONEncoderWrites() throws {
        struct Record: Encodable {
            let name: String
            let values: [Double]
            let flags: [String: Bool]
            let child: [Record]
        }
        let record = Record(
            name: "a \"quoted\" <name> / é 😀", values: [1.5, -2, 0.1],
            flags: ["x": true, "y": false],
            child: [Record(name: "\u{1F}\n", values: [], flags: [:], child: [])])
        let parsed = try JSONValue.parse(try JSONEncoder().encode(record))
        #expect(
            parsed == [
                "name": "a \"quoted\" <name> / é 😀", "values": [1.5, -2, 0.1], "flags": ["x": true, "y": false],
                "child": [["name": "\u{1F}\n", "values": [], "flags": [:], "child": []]],
            ])
    }
}
