import SigflowCore
import Testing

struct BoundedDictionaryTests {
    /// Past its capacity the oldest keys (by first insertion) go; updating a key keeps its place.
    @Test func forgetsTheOldestBeyondCapacity() {
        var table = BoundedDictionary<Int, String>(capacity: 3)
        for key in 0..<5000 { table[key] = "v\(key)" }
        #expect(table.count == 3)
        #expect((0..<5000).filter { table[$0] != nil } == [4997, 4998, 4999])

        table[4997] = "updated"
        table[5000] = "new"
        #expect(table[4997] == nil)
        #expect(table[4998] == "v4998" && table[4999] == "v4999" && table[5000] == "new")
    }
}
