/// `ByteLevel` decoder: maps each token's scalars back to bytes through `ByteLevelAlphabet`
/// (a token with a scalar outside the alphabet contributes its own UTF-8 bytes), then decodes
/// all bytes as UTF-8, replacing invalid sequences with U+FFFD.
public struct ByteLevelDecoder: TokenDecoder {
    public init(config: ComponentConfig) throws {}

    public func decodeChain(_ tokens: [String]) -> [String] {
        var bytes: [UInt8] = []
        for token in tokens {
            var tokenBytes: [UInt8] = []
            var inAlphabet = true
            for scalar in token.unicodeScalars {
                guard let byte = ByteLevelAlphabet.byteForScalar[scalar] else {
                    inAlphabet = false
                    break
                }
                tokenBytes.append(byte)
            }
            bytes += inAlphabet ? tokenBytes : Array(token.utf8)
        }
        return [String(decoding: bytes, as: UTF8.self)]
    }
}
