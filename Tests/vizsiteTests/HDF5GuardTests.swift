import Foundation
import Testing
import TestSupport

/// Keras files reach libhdf5 in a child process first: a file that crashes it (found by
/// mutating a real file, as the review did) is an error, never a crash of vizsite.
@Suite struct HDF5GuardTests {
    static let hostile = PackagePaths.path("Tests/CNNTests/Fixtures/hostile")

    @Test("a .h5 that crashes libhdf5 is an error naming the file; a good one loads through the same guard")
    func crashingFile() throws {
        let crash = try runVizsite(["summary", "\(Self.hostile)/libhdf5-crash.h5"])
        #expect(crash.status == 1, "\(crash.stderr)")
        // (Under `make sanitize` AddressSanitizer stops the child first, with exit status 1.)
        let how = isAddressSanitized ? "failed reading the file (exit status 1" : "crashed reading the file (signal 11"
        #expect(
            crash.stderr
                == "\(Self.hostile)/libhdf5-crash.h5: error: libhdf5 \(how), in a separate process that checks it); "
                + "the file is damaged\n")
        let good = try runVizsite(
            ["summary", PackagePaths.path("Tests/CNNTests/Fixtures/import/sequential-mnist-keras3.h5")])
        #expect(good.status == 0 && good.stdout.contains("Total params"), "\(good.stderr)")
        // The child's own errors come through as they are.
        let linked = try runVizsite(["summary", "\(Self.hostile)/external-link.h5"])
        #expect(linked.stderr.contains("is an external link to another file"), "\(linked.stderr)")
    }

    @Test("a .h5 that sends libhdf5 into an endless loop is stopped at the time limit and named")
    func loopingFile() throws {
        let start = Date()
        let hang = try runVizsite(
            ["summary", "\(Self.hostile)/libhdf5-hang.h5"], environment: ["VIZSITE_HDF5_SECONDS": "1"])
        #expect(hang.status == 1)
        #expect(
            hang.stderr
                == "\(Self.hostile)/libhdf5-hang.h5: error: libhdf5 did not finish reading the file within 1 s (checked "
                + "in a separate process); the file is damaged\n")
        #expect(Date().timeIntervalSince(start) < 10)
    }
}
