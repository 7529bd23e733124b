import Common
import Foundation
import Testing

/// FIPS 180-4 test vectors (NIST's SHA-256 examples).
@Suite struct SHA256Tests {
    @Test func knownDigests() {
        #expect(SHA256.hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256.hex(Data(repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func piecewiseUpdatesEqualOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var h = SHA256()
        h.update(bytes[0..<7]); h.update(bytes[7..<70]); h.update(bytes[70..<64 * 10]); h.update(bytes[640...])
        #expect(h.finalize() == SHA256.hex(Data(bytes)))
    }
}
