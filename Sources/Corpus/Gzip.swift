import CZlib
import Foundation

/// Decompresses gzip data (one or several concatenated members, as `gzip -c a b` produces).
///
/// Truncated or corrupt input is an error that names `path`, never a partial result taken for
/// the whole corpus.
enum Gzip {
    /// Inflates all of `data`. `path` is used in error messages only.
    static func decompress(_ data: Data, path: String) throws(CorpusError) -> Data {
        var output = Data()
        output.reserveCapacity(data.count * 4)
        var offset = 0
        let chunkSize = 1 << 18
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while offset < data.count {
            var stream = z_stream()
            guard czlib_inflate_init_gzip(&stream) == Z_OK else {
                throw .unreadable(path: path, reason: "zlib could not start inflating")
            }
            defer { inflateEnd(&stream) }
            var status: Int32 = Z_OK
            let consumed: Int = data.withUnsafeBytes { raw -> Int in
                let base = raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Bytef.self)
                stream.next_in = UnsafeMutablePointer(mutating: base)
                stream.avail_in = uInt(data.count - offset)
                repeat {
                    chunk.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = uInt(chunkSize)
                        status = inflate(&stream, Z_NO_FLUSH)
                        output.append(out.baseAddress!, count: chunkSize - Int(stream.avail_out))
                    }
                } while status == Z_OK
                return data.count - offset - Int(stream.avail_in)
            }
            guard status == Z_STREAM_END else {
                let reason = status == Z_BUF_ERROR ? "gzip stream is truncated" : "gzip data is corrupt (zlib status \(status))"
                throw .unreadable(path: path, reason: reason)
            }
            offset += consumed
            // Trailing zero padding after the last member is tolerated, as gzip(1) does.
            if data[offset...].allSatisfy({ $0 == 0 }) { break }
        }
        return output
    }
}
