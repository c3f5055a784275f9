package parse

// UnitEN returns the English unit for a Chinese unit or classifier, as [Target] fills
// Quantity.UnitEN for Chinese text. It returns "" for units it does not know and for
// classifiers that say nothing in English (个, 批, 类 as in "10 of them"): then the curator
// gives unit_en in the source. (A function, not an exported map, so that no caller can
// change it.)
//
// 万元 and 亿元 never come out of Target, which applies 万 and 亿 to the value; they are here
// for units a curator writes in a source's unit_zh.
func UnitEN(zh string) string {
	switch zh {
	case "家", "家企业":
		return "enterprises"
	case "项", "件":
		return "items"
	case "元":
		return "yuan"
	case "万元":
		return "10,000 yuan"
	case "亿元":
		return "100 million yuan"
	case "人":
		return "people"
	case "人次":
		return "person-times"
	case "次":
		return "times"
	case "套", "台套":
		return "sets"
	case "种":
		return "kinds"
	case "个百分点", "百分点":
		return "percentage points"
	case "%":
		return "%"
	case "‰":
		return "‰"
	case "年":
		return "years"
	case "个月":
		return "months"
	case "天", "日":
		return "days"
	case "吨":
		return "tonnes"
	}
	return ""
}
