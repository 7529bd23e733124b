import CTurboJPEG
import Foundation

/// Small pictures several test targets decode.
public enum TestImages {
    /// A 16×8 baseline JPEG (quality 95, written by Pillow): red on the left half, blue on
    /// the right.
    public static let redBlueJPEG = Data(
        base64Encoded: [
            "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoK",
            "CgoKBggLDAsKDAkKCgr/2wBDAQICAgICAgUDAwUKBwYHCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoK",
            "CgoKCgoKCgr/wAARCAAIABADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUF",
            "BAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVW",
            "V1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi",
            "4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAEC",
            "AxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVm",
            "Z2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq",
            "8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD5Lr5joor+jPoA/wDNSf8Acn/7tH9YfTd/5kH/AHNf+6x//9k=",
        ].joined()
    )!

    /// An 8×8 CMYK JPEG (print's colour space), made by libjpeg-turbo.
    public static var cmykJPEG: Data {
        guard let handle = tjInitCompress() else { return Data() }
        defer { tjDestroy(handle) }
        var pixels = [UInt8](repeating: 128, count: 8 * 8 * 4)
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let status = pixels.withUnsafeMutableBufferPointer {
            tjCompress2(
                handle, $0.baseAddress, 8, 0, 8, Int32(TJPF_CMYK.rawValue), &buffer, &size, Int32(TJSAMP_444.rawValue),
                90, 0)
        }
        guard status == 0, let buffer else { return Data() }
        defer { tjFree(buffer) }
        return Data(bytes: buffer, count: Int(size))
    }
}
