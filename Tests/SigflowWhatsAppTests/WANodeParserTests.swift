import Testing

@testable import SigflowWhatsApp

struct WANodeParserTests {
    @Test func placeholder() {
        #expect(WANodeParser().parse("<a/>").node?.tag == "a")
    }
}
