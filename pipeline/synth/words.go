package synth

// Word lists the synthetic text is drawn from. Summaries and notes are the project's own
// words in real files; here they only need realistic lengths and scripts.

// aspects are id, Chinese and English name.
var aspects = [][3]string{
	{"infrastructure", "夯实基础设施", "Consolidate infrastructure"},
	{"integration", "深化融合应用", "Deepen integrated application"},
	{"innovation", "强化技术创新", "Strengthen technological innovation"},
	{"factors", "完善要素保障", "Improve support for production factors"},
}

// categories are Chinese and English category names.
var categories = [][2]string{
	{"网络体系强基行动", "Network infrastructure strengthening action"},
	{"标识解析增强行动", "Identifier resolution enhancement action"},
	{"平台体系壮大行动", "Platform system expansion action"},
	{"数据汇聚赋能行动", "Data aggregation and empowerment action"},
	{"新型模式培育行动", "New-model cultivation action"},
	{"融通应用深化行动", "Integrated-application deepening action"},
	{"关键标准建设行动", "Key standards building action"},
	{"技术能力提升行动", "Technological capability upgrading action"},
	{"产业协同发展行动", "Industrial coordinated development action"},
	{"安全保障强化行动", "Security assurance strengthening action"},
	{"开放合作深化行动", "Open cooperation deepening action"},
	{"加强组织实施", "Strengthen organisation and implementation"},
	{"健全数据管理", "Improve data management"},
	{"加大人才保障", "Step up talent support"},
	{"拓宽资金来源", "Broaden funding sources"},
}

var verbs = []string{
	"Speed up the building of", "Pilot", "Roll out on a large scale", "Draw up guidance on",
	"Foster", "Upgrade", "Extend", "Set up benchmarks for", "Publish standards for",
	"Strengthen the security of", "Promote", "Give financial support to", "Train people for",
}

var objects = []string{
	"5G fully-connected factories", "enterprise internal networks", "identifier resolution nodes",
	"industrial internet platforms", "regional big-data sub-centers", "public service platforms",
	"industrial apps", "edge computing in manufacturing", "time-sensitive networking",
	"security monitoring of industrial control systems", "digital transformation of SMEs",
	"cloud adoption by manufacturers", "industrial internet parks", "data classification rules",
}

var settings = []string{
	"in key sectors", "in the consumer-goods industry", "across the raw-materials sector",
	"in shipbuilding and equipment manufacturing", "in industrial clusters", "nationwide",
	"in the central and western regions", "with the help of leading enterprises", "",
}

var verbsZH = []string{"加快建设", "开展试点", "规模化部署", "研究制定", "培育推广", "升级改造", "扩大覆盖", "打造标杆", "健全完善", "强化保障"}

var objectsZH = []string{
	"5G全连接工厂", "企业内网", "标识解析二级节点", "工业互联网平台", "大数据中心区域分中心",
	"公共服务平台", "工业APP", "边缘计算", "时间敏感网络", "工控安全监测", "中小企业数字化转型",
	"工业互联网园区", "数据分类分级",
}

var metrics = []string{
	"benchmark 5G fully-connected factories", "identifier resolution secondary nodes",
	"industrial internet platforms with industry reach", "enterprises connected to platforms",
	"regions with public service platforms", "standards drafted", "typical application scenarios",
	"pilot demonstration projects", "people trained",
}

var regionRoles = []string{
	"site of a regional sub-center of the national big data center",
	"pilot region for 5G fully-connected factories", "demonstration zone",
	"host of an identifier resolution top-level node",
}

var refNotes = []string{
	"states the measure", "gives the number", "second outlet reporting it",
	"names the responsible unit", "English paraphrase",
}

var taskNotes = []string{
	"Known only from an English paraphrase.",
	"The category assignment follows the order of the source's list.",
	"The source gives the deadline for all measures of the plan at once.",
	"Chinese terms are back-translations from English, not the plan's verified wording.",
}
