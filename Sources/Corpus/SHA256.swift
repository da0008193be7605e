import CCrypto
import Foundation

/// SHA-256 (FIPS 180-4) for the checksums recorded in run files: streaming, through OpenSSL's
/// libcrypto, which uses the CPU's SHA instructions where it has them (a 90 MB checkpoint in well
/// under a second on any CPU, so the checksum never dominates the start of a run).
///
/// A class: it owns libcrypto's digest context, which must not be copied.
public final class SHA256 {
    private let context: OpaquePointer
    private var finished: String?

    /// libcrypto could not start a digest (it fails only when memory is exhausted).
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String { "libcrypto cannot start a SHA-256 digest (out of memory)" }
    }

    /// An empty hash state.
    public init() throws(Failure) {
        guard let context = EVP_MD_CTX_new() else { throw Failure() }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw Failure()
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Feeds bytes. Bytes fed after ``finalize()`` are an error of the caller and are ignored.
    public func update(_ data: UnsafeRawBufferPointer) {
        guard finished == nil, let base = data.baseAddress, !data.isEmpty else { return }
        EVP_DigestUpdate(context, base, data.count)
    }

    /// Feeds `data`.
    public func update(_ data: Data) { data.withUnsafeBytes { update($0) } }

    /// The digest as 64 lowercase hex digits (the same on every later call).
    public func finalize() -> String {
        if let finished { return finished }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        let hex = digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
        finished = hex
        return hex
    }

    /// SHA-256 of a file's bytes, read in 4 MiB pieces.
    public static func hex(ofFile url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let hasher = try SHA256()
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty { hasher.update(chunk) }
        return hasher.finalize()
    }
}
