package knowledge

import "encoding/json"

func sprint(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
