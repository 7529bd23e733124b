import CNN
import Foundation
import Testing
import TestSupport

@Suite struct IDXTests {
    func idx(_ shape: [Int], _ bytes: [UInt8], type: UInt8 = 0x08) -> Data {
        var d = Data([0, 0, type, UInt8(shape.count)])
        for dim in shape {
            d.append(contentsOf: [
                UInt8(dim >> 24 & 255), UInt8(dim >> 16 & 255), UInt8(dim >> 8 & 255), UInt8(dim & 255),
            ])
        }
        d.append(contentsOf: bytes)
        return d
    }

    func parseError(_ data: Data) -> String {
        do { _ = try IDXArray.parse(data, file: "f.idx"); return "no error" } catch { return error.description }
    }

    @Test func parsesShapeAndBytes() throws {
        let a = try IDXArray.parse(idx([2, 3], [1, 2, 3, 4, 5, 6]), file: "f")
        #expect(a.shape == [2, 3])
        #expect(a.bytes == [1, 2, 3, 4, 5, 6])
    }

    @Test func badFilesAreClearErrors() {
        #expect(parseError(Data([0, 0])) == "f.idx: error: too short to be an IDX file (2 bytes)")
        #expect(
            parseError(Data([0x89, 0x50, 0x4e, 0x47, 0, 0])) == "f.idx: error: not an IDX file: wrong magic number")
        #expect(
            parseError(idx([2], [1, 2], type: 0x0D))
                == "f.idx: error: unsupported IDX data type 0x0d, expected 0x08 (unsigned byte)")
        #expect(parseError(Data([0, 0, 8, 2, 0, 0])) == "f.idx: error: truncated IDX header")
        #expect(
            parseError(idx([2, 3], [1, 2, 3]))
                == "f.idx: error: truncated or oversized IDX data: shape [2, 3] needs 6 bytes, found 3")
        #expect(
            parseError(idx([0xFFFF_FFF, 0xFFFF_FFF], []))
                == "f.idx: error: IDX shape [268435455, 268435455] holds 72057593501057025 bytes; vizsite reads at "
                + "most 200000000 from one IDX file")
        // Found by the idx fuzz target: a shape whose product wraps around to 0 bytes.
        #expect(
            parseError(Data([0, 0, 8, 4, 0, 0, 0x19, 0, 1, 0, 0, 0, 1, 0, 0, 0, 8, 2, 0, 0]))
                == "f.idx: error: IDX shape [6400, 16777216, 16777216, 134348800] is too large to be real")
    }

    @Test func gzipErrors() throws {
        let dir = TemporaryDirectory()
        let real = try Data(contentsOf: URL(fileURLWithPath: PackagePaths.mnist + "/t10k-labels-idx1-ubyte.gz"))
        let truncated = dir.write("t.gz", real.prefix(real.count / 2))
        #expect(throws: DataError.corrupt(file: truncated, reason: "truncated gzip data")) {
            try IDXArray.read(path: truncated)
        }
        var bytes = [UInt8](real)
        for i in 20..<60 { bytes[i] ^= 0x5A }
        let corrupt = dir.write("c.gz", Data(bytes))
        #expect {
            try IDXArray.read(path: corrupt)
        } throws: { error in
            (error as? DataError)?.description.hasPrefix("\(corrupt): error: corrupt gzip data") ?? false
        }
        #expect(throws: DataError.unreadable(file: dir.file("none"), reason: "no such file or not readable")) {
            try IDXArray.read(path: dir.file("none"))
        }
    }

    @Test func mnistLoadsWithItsKnownFirstLabels() {
        let mnist = sharedMNIST
        #expect(mnist.train.count == 60_000)
        #expect(mnist.test.count == 10_000)
        #expect(Array(mnist.train.labels.prefix(8)) == [5, 0, 4, 1, 9, 2, 1, 3])
        #expect(Array(mnist.test.labels.prefix(8)) == [7, 2, 1, 0, 4, 1, 4, 9])
        #expect(mnist.test.images.shape == [10_000, 28, 28, 1])
        #expect(mnist.test.images.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
        // The first test image (a 7): a thin stroke, 71 of its 784 pixels brighter than half.
        let ink = mnist.test.images.samples(0..<1).scalars.filter { $0 > 0.5 }.count
        #expect(ink == 71)
    }

    @Test func labelsThatDoNotMatchImages() {
        let dir = TemporaryDirectory()
        let images = dir.write("i", idx([2, 28, 28], [UInt8](repeating: 0, count: 2 * 784)))
        let labels = dir.write("l", idx([3], [1, 2, 3]))
        #expect(
            throws: DataError.corrupt(file: labels, reason: "expected 2 labels to match \(images), found shape [3]")
        ) {
            try MNIST.dataset(images: images, labels: labels)
        }
        let bad = dir.write("b", idx([2], [1, 12]))
        #expect(throws: DataError.corrupt(file: bad, reason: "label 12 is not a digit 0–9")) {
            try MNIST.dataset(images: images, labels: bad)
        }
    }

    @Test("a gzip bomb is refused by its header before it inflates; extra data, links out and pipes are errors")
    func hostileFiles() throws {
        let dir = TemporaryDirectory()
        func gzip(_ name: String, _ data: Data) throws -> String {
            let path = dir.write(name, data)
            #expect(try runProgram("gzip", ["-kf", path]).status == 0)
            return path + ".gz"
        }
        // 1.3 million images claimed (1 GB): refused after the 16-byte header.
        let bomb = try gzip("bomb", idx([1_300_000, 28, 28], [UInt8](repeating: 0, count: 784)))
        #expect {
            try IDXArray.read(path: bomb)
        } throws: { error in
            (error as? DataError)?.description.contains("holds 1019200000 bytes; vizsite reads at most") ?? false
        }
        let longer = try gzip("longer", idx([2, 3], [1, 2, 3, 4, 5, 6, 7]))
        #expect(
            throws: DataError.corrupt(
                file: longer, reason: "truncated or oversized IDX data: shape [2, 3] needs 6 bytes, found more")
        ) { try IDXArray.read(path: longer) }
        let good = try gzip("good", idx([2, 3], [1, 2, 3, 4, 5, 6]))
        #expect(try IDXArray.read(path: good).bytes == [1, 2, 3, 4, 5, 6])
        // Multi-member gzip (two files concatenated) reads as one stream.
        let whole = idx([2, 3], [1, 2, 3, 4, 5, 6])
        let first = try Data(contentsOf: URL(fileURLWithPath: try gzip("a", whole.prefix(9))))
        let second = try Data(contentsOf: URL(fileURLWithPath: try gzip("b", whole.dropFirst(9))))
        let joined = dir.write("joined.gz", first + second)
        #expect(try IDXArray.read(path: joined).bytes == [1, 2, 3, 4, 5, 6])

        let outside = TemporaryDirectory()
        let secret = outside.write("secret.gz", try Data(contentsOf: URL(fileURLWithPath: good)))
        try FileManager.default.createSymbolicLink(atPath: dir.file("link.gz"), withDestinationPath: secret)
        #expect(
            throws: DataError.unreadable(
                file: dir.file("link.gz"), reason: "'link.gz' leads out of its folder through a symbolic link")
        ) { try IDXArray.read(path: dir.file("link.gz")) }
        #expect(mkfifo(dir.file("pipe.gz"), 0o600) == 0)
        #expect(
            throws: DataError.unreadable(
                file: dir.file("pipe.gz"), reason: "'pipe.gz' is a named pipe, not a regular file")
        ) { try IDXArray.read(path: dir.file("pipe.gz")) }
    }
}
