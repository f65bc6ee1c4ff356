import SigflowCore

/// Groups calls whose messages name each other (a B2BUA's two legs), by union-find over link tokens.
enum LegLinker {
    /// - Returns: per call, the indices of the other calls in its group.
    /// - Parameter tokens: calls `visit` with each token of the call at an index, its own call id's
    ///   (`LinkToken.naming`) among them.
    static func groups(count: Int, tokens: (_ call: Int, _ visit: (LinkToken) -> Void) -> Void) -> [[Int]] {
        var parent = Array(0..<count)
        func root(_ index: Int) -> Int {
            var current = index
            while parent[current] != current {
                parent[current] = parent[parent[current]]
                current = parent[current]
            }
            return current
        }
        var owner: [LinkToken: Int] = [:]
        for index in 0..<count {
            tokens(index) { token in
                if let other = owner[token] {
                    let (a, b) = (root(index), root(other))
                    if a != b { parent[max(a, b)] = min(a, b) }
                } else {
                    owner[token] = index
                }
            }
        }
        // Most calls have no other leg: only groups of two or more get a list.
        var sizes = [Int](repeating: 0, count: count)
        for index in 0..<count { sizes[root(index)] += 1 }
        var members: [Int: [Int]] = [:]
        for index in 0..<count where sizes[root(index)] > 1 { members[root(index), default: []].append(index) }
        return (0..<count).map { index in
            sizes[root(index)] > 1 ? members[root(index)]!.filter { $0 != index } : []
        }
    }
}
