// Package synth holds what the benchmarks' synthetic knowledge bases are
// made of, shared by the retrieval core's benchmarks and the knowledge
// base's, so both measure the same kind of corpus.
package synth

import "strings"

// Words is the synthetic corpus vocabulary: domain words plus filler, so
// candidate lists look like real ones (many sections share common words,
// few share rare ones).
var Words = strings.Fields(`council residents social media post posts account accounts twitter facebook instagram
guidance policy staff colleagues training approval schedule scheduling crisis incident emergency weather snow flood
gritting schools closures purdah election councillor candidate retweet share comment comments abuse moderation block
report police records retention freedom information request message messages direct privacy consent photo video
caption captions accessibility alt text hashtag campaign budget advertising boost audience reach engagement metrics
evaluation outcome website link service services team teams manager managers approval brand logo tone voice plain
language gaelic translation rumour misinformation correction fake impersonation verified badge monitoring rota
weekend evening notification keyword wellbeing debrief unconference meetup venue session pitch community library`)
