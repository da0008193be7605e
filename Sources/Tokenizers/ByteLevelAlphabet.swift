/// GPT-2's reversible map between bytes and printable Unicode scalars.
///
/// Bytes that are printable Latin-1 (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) map to themselves; the other
/// 68 bytes map, in increasing byte order, to U+0100, U+0101, … So a space becomes `Ġ` (U+0120)
/// and a newline `Ċ` (U+010A).
enum ByteLevelAlphabet {
    /// `scalarForByte[b]` is the scalar that stands for byte `b`.
    static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                // 256 + n is always a valid scalar (n < 68).
                table[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    /// The byte a scalar stands for, or nil when the scalar is not in the alphabet.
    static let byteForScalar: [Unicode.Scalar: UInt8] = {
        var map: [Unicode.Scalar: UInt8] = [:]
        for (byte, scalar) in scalarForByte.enumerated() { map[scalar] = UInt8(byte) }
        return map
    }()

    /// The UTF-8 bytes of `text`, each replaced by its alphabet scalar.
    static func encode(_ text: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        for scalar in text {
            scalar.forEachUTF8Byte { output.append(scalarForByte[Int($0)]) }
        }
        return output
    }
}
