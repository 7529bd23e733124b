import Common
import Testing

/// How pictures become model input, and how gradients come back through it.
@Suite struct InputNormalizationTests {
    /// torchvision's normalization in BGR order: three channels, each its own mean and std.
    static let caffe = InputNormalization(
        scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], bgr: true)

    @Test func normalizeReordersAndScales() {
        let picture: [Float] = [0.1, 0.5, 0.9, 1, 0, 0.25]
        let input = Self.caffe.normalize(picture, channels: 3)
        // Model channel 0 reads the picture's blue (0.9), with channel 0's mean and std.
        #expect(abs(input[0] - (0.9 - 0.485) / 0.229) < 1e-5)
        #expect(abs(input[2] - (0.1 - 0.406) / 0.225) < 1e-5)
        #expect(abs(input[3] - (0.25 - 0.485) / 0.229) < 1e-5)
        #expect(InputNormalization.standard.normalize(picture, channels: 3) == picture)
    }

    /// The pulled-back gradient is the derivative of ⟨g, normalize(picture)⟩ with respect
    /// to the picture, checked by central differences on every value.
    @Test func pullBackIsTheChainRule() {
        for normalization in [Self.caffe, InputNormalization(scale: 1 / 255, mean: [0.5], std: [0.5])] {
            let picture: [Float] = [0.2, 0.4, 0.6, 0.8, 0.1, 0.3]
            let g: [Float] = [1, -2, 0.5, 3, 0.25, -1]
            let pulled = normalization.pullBack(g, channels: 3)
            for i in picture.indices {
                var up = picture, down = picture
                up[i] += 0.01
                down[i] -= 0.01
                func dot(_ x: [Float]) -> Float {
                    zip(g, normalization.normalize(x, channels: 3)).reduce(0) { $0 + $1.0 * $1.1 }
                }
                let numeric = (dot(up) - dot(down)) / 0.02
                #expect(abs(numeric - pulled[i]) < 1e-2 * max(1, abs(numeric)), "value \(i)")
            }
        }
    }
}

@Suite struct FileExtensionTests {
    @Test func extensionsAsNSStringGivesThem() {
        #expect("images/my-digit.PNG".fileExtension == "PNG")
        #expect("a.b/c".fileExtension == "")
        #expect(".hidden".fileExtension == "")
        #expect("archive.tar.gz".fileExtension == "gz")
        #expect("photo.png/".fileExtension == "png")
        // The input that trapped NSString.pathExtension: no crash, no extension.
        #expect("tes,Yet,s,YY//////\0\0\0\0\0\0\0\t////".fileExtension == "")
    }
}
