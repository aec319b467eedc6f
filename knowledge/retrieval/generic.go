package retrieval

import "strings"

// genericWeight scales everyday words that are not stop words but rarely
// carry a question's topic ("next week", "main account", "going round").
// In a small knowledge base idf cannot tell them from topic words, so
// they would otherwise count as much as "purdah" when deciding whether a
// passage covers a question.
const genericWeight = 0.35

var genericWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
able social media actually add added ago allow allowed allowing already always another answer anymore anyway anywhere appropriate
area ask asked asking away back bad basically become becoming begin being believe better big bit body bring
build busy call called came care case certain change changed check clear    come comes coming
common consider correct course current currently day days deal dealing decide decided definitely different do
does doing easy end enough especially everyone everything example exactly expect fact fair far feel felt fine
find first   found free full general give given gives giving glad go going gone good great
guess happen happened happening happens hard head hear heard high hold home hour hours huge important improve
include including instead issue issues keep keeping kind knew know known knows last late later latest lead least
leave left let level life likely line little  long look looked looking looks lose lost lot lots love low
made main major make makes making many matter mean means meant mind minute minutes miss moment month months
move moving much name near nearly need needed never new next nice night nobody none normal normally nothing
notice number numbers often old one ones open order otherwise outside part particular past  people perhaps
person place plan point possible pretty probably problem problems proper properly put quite rather read ready
real reason recent recently regular right round run running said same saw say saying says second see seem seems
seen sense set several  short show side simple since small sort sorry sound start started starting stay
step stop stuff sure take taken takes taking talk tell tend term terms thanks thing think thinking though
thought three time times today told tomorrow took top total tried true try trying turn turned turning two type
understand unless unsure usual usually  week weeks well went whole wide wish within without word words
work worked working works worried worry worth wrong year years yesterday 
` +
		// Chat and everyday life: time of day, amounts, feelings, emphasis,
		// and people in general. A small knowledge base rarely uses them, so
		// without this they would count as unknown topic words and sink the
		// coverage of a question that is plainly in scope.
		`
tonight tonite morning mornings afternoon afternoons earlier early lately ages forever sometime soon
monday tuesday wednesday thursday friday saturday sunday mondays fridays fortnight hourly daily
january february march april may june july august september october november december
load loads tons heaps plenty bunch couple dozen hundreds thousands millions extra amount bits piece pieces
half single double loads
angry anger annoyed annoying happy unhappy sad keen excited nervous afraid confused confusing
frustrated frustrating furious delighted pleased disappointed embarrassed embarrassing awkward
struggling struggle struggled mad cross fed
honestly literally totally absolutely seriously genuinely obviously apparently suddenly finally
whatever somehow yeah yep nope alright cheers lol btw fyi imo tbh asap vs
everybody folk lady man men woman women bloke mum dad friend friends face faces
reckon hope hoping hoped figure figured sorted cope coping bother bothered mention mentioned pick picked
stand sit wait waiting waited arrive stuck forgot forget remember realise realised realize noticed spot spotted
massive awful terrible horrible brilliant amazing awesome fantastic lovely weird strange odd silly stupid
crazy slow tricky difficult tough obvious basic okay decent actual entire typical various
situation option options chance luck world thing things stuff
`) {
		m[w] = true
	}
	return m
}()

// isGeneric reports whether a token is an everyday word (by its surface
// form or its stem, so "turning" and "turned" count like "turn").
func isGeneric(t token) bool {
	return genericWords[t.word] || genericWords[t.stem]
}
