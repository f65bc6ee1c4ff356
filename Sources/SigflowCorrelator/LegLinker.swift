/// Groups calls whose messages name each other (a B2BUA's two legs), by union-find over link tokens.
enum LegLinker {
    /// - Parameter tokens: per call, its own token (`call-id:<id>`) and the tokens its messages carry.
    /// - Returns: per call, the indices of the other calls in its group.
    static func groups(tokens: [[String]]) -> [[Int]] {
        var parent = Array(tokens.indices)
        func root(_ index: Int) -> Int {
            var current = index
            while parent[current] != current {
                parent[current] = parent[parent[current]]
                current = parent[current]
            }
            return current
        }
        var owner: [String: Int] = [:]
        for (index, callTokens) in tokens.enumerated() {
            for token in callTokens {
                if let other = owner[token] {
                    let (a, b) = (root(index), root(other))
                    if a != b { parent[max(a, b)] = min(a, b) }
                } else {
                    owner[token] = index
                }
            }
        }
        var members: [Int: [Int]] = [:]
        for index in tokens.indices { members[root(index), default: []].append(index) }
        return tokens.indices.map { index in members[root(index)]!.filter { $0 != index } }
    }
}
