import Foundation

/// `Precompiled` normalizer: SentencePiece's compiled normalization map (XLM-R, T5, ALBERT,
/// CamemBERT, mBART files), applied as the Rust library's `spm_precompiled` does.
///
/// `precompiled_charsmap` (base64) holds a little-endian `u32` byte size of a double-array trie,
/// the trie's `u32` units, then NUL-terminated replacement strings. The text is walked grapheme
/// by grapheme (Swift's `Character`, the same extended grapheme clusters): a grapheme shorter
/// than 6 UTF-8 bytes whose bytes start with a trie key is replaced whole; otherwise each scalar
/// is looked up alone. A lookup takes the replacement of the *shortest* key that prefixes the
/// bytes, even when it covers only part of them, exactly as the Rust code does.
public struct PrecompiledNormalizer: Normalizer {
    let units: [UInt32]
    let replacements: [UInt8]

    public init(config: ComponentConfig) throws {
        let encoded = try config.string("precompiled_charsmap")
        guard let data = Data(base64Encoded: encoded) else {
            throw config.fieldError("precompiled_charsmap", "base64 data")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else { throw config.configurationError("precompiled_charsmap is shorter than its 4-byte header") }
        let trieBytes = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        let unitCount = trieBytes / 4
        guard unitCount >= 1, 4 + unitCount * 4 <= bytes.count else {
            throw config.configurationError("precompiled_charsmap declares a \(trieBytes)-byte trie but holds \(bytes.count - 4) bytes")
        }
        var units = [UInt32](repeating: 0, count: unitCount)
        for index in 0..<unitCount {
            let base = 4 + index * 4
            units[index] = UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8 | UInt32(bytes[base + 2]) << 16 | UInt32(bytes[base + 3]) << 24
        }
        replacements = Array(bytes[(4 + unitCount * 4)...])
        guard String(validating: replacements, as: UTF8.self) != nil else {
            throw config.configurationError("the replacement strings of precompiled_charsmap are not valid UTF-8")
        }
        self.units = units
        var table: [[Unicode.Scalar]] = []
        for value in 0..<128 {
            let scalar = Unicode.Scalar(UInt8(value))
            table.append(Self.transform([UInt8(value)][...], units: units, replacements: replacements) ?? [scalar])
        }
        asciiTable = table
    }

    /// The output of each ASCII scalar standing alone (its own grapheme).
    let asciiTable: [[Unicode.Scalar]]

    public func normalize(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        // ASCII text without CR: every scalar is its own grapheme (only CR LF forms a longer one).
        if text.allSatisfy({ $0.value < 128 && $0 != "\r" }) {
            for scalar in text { output.append(contentsOf: asciiTable[Int(scalar.value)]) }
            return output
        }
        for character in text.string {
            let bytes = Array(character.utf8)
            if bytes.count < 6, let replacement = transform(bytes[...]) {
                output.append(contentsOf: replacement)
                continue
            }
            for scalar in character.unicodeScalars {
                var scalarBytes: [UInt8] = []
                scalar.forEachUTF8Byte { scalarBytes.append($0) }
                if let replacement = transform(scalarBytes[...]) {
                    output.append(contentsOf: replacement)
                } else {
                    output.append(scalar)
                }
            }
        }
        return output
    }

    /// The replacement of the shortest trie key that prefixes `key` (stopping at a NUL byte).
    private func transform(_ key: ArraySlice<UInt8>) -> [Unicode.Scalar]? {
        Self.transform(key, units: units, replacements: replacements)
    }

    private static func transform(_ key: ArraySlice<UInt8>, units: [UInt32], replacements: [UInt8]) -> [Unicode.Scalar]? {
        var position = 0
        position ^= offset(units[0])
        for byte in key {
            if byte == 0 { break }
            position ^= Int(byte)
            guard position < units.count else { return nil }
            let unit = units[position]
            if label(unit) != UInt32(byte) { return nil }
            position ^= offset(unit)
            if hasLeaf(unit) {
                guard position < units.count else { return nil }
                let start = Int(units[position] & 0x7FFF_FFFF)
                guard start <= replacements.count else { return nil }
                var end = start
                while end < replacements.count && replacements[end] != 0 { end += 1 }
                return Array(String(decoding: replacements[start..<end], as: UTF8.self).unicodeScalars)
            }
        }
        return nil
    }

    @inline(__always) private static func hasLeaf(_ unit: UInt32) -> Bool { (unit >> 8) & 1 == 1 }
    @inline(__always) private static func label(_ unit: UInt32) -> UInt32 { unit & (0x8000_0000 | 0xFF) }
    @inline(__always) private static func offset(_ unit: UInt32) -> Int { Int(unit >> 10) << Int((unit & (1 << 9)) >> 6) }
}
