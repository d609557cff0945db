"""The category catalogue (60+ high-frequency kinds) and the holiday calendar of this year and the next."""

from __future__ import annotations

from django.utils import timezone

from communities.core.holiday_calendar import holidays_import
from communities.models import Department

from .models import Category

C, D = "community", "department"
# code, name, service, accept h, resolve h, same day, handler, department short name, keywords
CATEGORIES = [
    ("wage-arrears", "拖欠工资", "complaint", 2, 72, False, D, "人社局", "欠薪 工资 讨薪"),
    ("labour-contract", "劳动合同纠纷", "mediation", 4, 120, False, D, "人社局", "合同 辞退 加班"),
    ("social-insurance", "社保缴纳", "complaint", 4, 120, False, D, "人社局", "社保 五险"),
    ("work-injury", "工伤认定", "legal", 8, 240, False, D, "人社局", "工伤 赔偿"),
    ("noise-construction", "施工噪音", "complaint", 2, 24, True, D, "生态环境局", "噪音 夜间施工"),
    ("noise-neighbour", "生活噪音", "complaint", 2, 24, True, C, None, "噪音 扰民"),
    ("noise-business", "商铺经营噪音", "complaint", 2, 24, True, D, "城管局", "音响 噪音"),
    ("cooking-fumes", "餐饮油烟", "complaint", 4, 72, False, D, "生态环境局", "油烟 异味"),
    ("property-management", "物业管理", "complaint", 4, 72, False, D, "住建局", "物业 管理费"),
    ("property-fees", "物业收费争议", "mediation", 4, 72, False, C, None, "物业费"),
    ("illegal-construction", "违法建设", "complaint", 4, 168, False, D, "城管局", "违建 加建"),
    ("building-site-safety", "工地安全隐患", "complaint", 2, 48, False, D, "住建局", "工地 安全"),
    ("housing-quality", "房屋质量问题", "complaint", 8, 240, False, D, "住建局", "漏水 开裂"),
    ("leaking-pipe", "水管漏水", "complaint", 1, 24, True, D, "水务局", "漏水 爆管"),
    ("water-outage", "停水", "complaint", 1, 12, True, D, "水务局", "停水"),
    ("waterlogging", "道路积水内涝", "complaint", 1, 24, True, D, "水务局", "积水 内涝"),
    ("sewer-blockage", "下水道堵塞", "complaint", 2, 24, True, C, None, "堵塞 污水"),
    ("street-light", "路灯不亮", "complaint", 2, 24, True, D, "城管局", "路灯"),
    ("road-damage", "道路破损", "complaint", 4, 72, False, D, "交通局", "坑洼 路面"),
    ("illegal-parking", "违章停车", "complaint", 1, 8, True, D, "公安分局", "停车 占道"),
    ("parking-spaces", "停车位不足", "complaint", 8, 240, False, C, None, "车位"),
    ("bus-service", "公交线路站点", "complaint", 8, 240, False, D, "交通局", "公交"),
    ("ride-hailing", "出租网约车", "complaint", 4, 72, False, D, "交通局", "出租车 网约车"),
    ("garbage", "垃圾清运", "complaint", 2, 24, True, D, "城管局", "垃圾"),
    ("street-vendors", "占道经营", "complaint", 2, 24, True, D, "城管局", "摆摊"),
    ("public-toilet", "公厕设施", "complaint", 4, 72, False, D, "城管局", "厕所"),
    ("greenery", "绿化养护", "complaint", 4, 72, False, D, "城管局", "树木 绿化"),
    ("stray-animals", "流浪动物", "complaint", 4, 48, False, C, None, "流浪狗 猫"),
    ("fire-hazard", "消防安全隐患", "complaint", 1, 24, True, D, "应急管理局", "消防 通道"),
    ("ebike-charging", "电动车违规充电", "complaint", 2, 24, True, C, None, "电动车 充电"),
    ("food-safety", "食品安全", "complaint", 2, 72, False, D, "市场监管局", "食品 过期"),
    ("consumer-rights", "消费维权", "mediation", 4, 120, False, D, "市场监管局", "退款 商家"),
    ("price-gouging", "价格欺诈", "complaint", 4, 72, False, D, "市场监管局", "价格"),
    ("school-places", "学位申请", "complaint", 8, 240, False, D, "教育局", "学位 入学"),
    ("school-fees", "教育收费", "complaint", 8, 168, False, D, "教育局", "收费 培训"),
    ("school-safety", "校园周边安全", "complaint", 4, 72, False, D, "教育局", "校园"),
    ("medical-dispute", "医疗纠纷", "mediation", 4, 168, False, D, "卫健局", "医院 医疗"),
    ("clinic-service", "社康服务", "complaint", 8, 120, False, D, "卫健局", "社康 看病"),
    ("epidemic-prevention", "公共卫生", "complaint", 2, 48, False, D, "卫健局", "卫生 防疫"),
    ("neighbour-dispute", "邻里纠纷", "mediation", 2, 48, False, C, None, "邻居 矛盾"),
    ("family-dispute", "家庭纠纷", "mediation", 2, 72, False, C, None, "家庭 婚姻"),
    ("inheritance-dispute", "继承纠纷", "mediation", 8, 240, False, C, None, "遗产 继承"),
    ("rental-dispute", "房屋租赁纠纷", "mediation", 4, 72, False, C, None, "租房 押金 房东"),
    ("landlord-deposit", "押金不退", "mediation", 4, 72, False, C, None, "押金"),
    ("debt-dispute", "民间借贷纠纷", "mediation", 8, 168, False, C, None, "借款 欠款"),
    ("traffic-accident", "交通事故赔偿", "mediation", 4, 168, False, D, "公安分局", "事故 赔偿"),
    ("building-site-wages", "工地农民工工资", "mediation", 1, 48, False, D, "住建局", "农民工 工地 欠薪"),
    ("land-boundary", "土地权属争议", "mediation", 8, 240, False, D, "规自局", "宅基地 土地"),
    ("demolition-compensation", "拆迁补偿", "mediation", 8, 240, False, D, "住建局", "拆迁 补偿"),
    ("legal-consultation", "法律咨询", "legal", 2, 24, True, C, None, "咨询 律师"),
    ("legal-aid", "法律援助申请", "legal", 4, 120, False, D, "司法局", "援助"),
    ("contract-review", "合同审查", "legal", 8, 72, False, C, None, "合同"),
    ("notarisation", "公证事务", "legal", 8, 120, False, D, "司法局", "公证"),
    ("psych-distress", "心理困扰", "psychological", 1, 24, True, C, None, "焦虑 抑郁 压力"),
    ("family-counselling", "家庭关系辅导", "psychological", 4, 72, False, C, None, "亲子 婚姻"),
    ("youth-counselling", "青少年心理辅导", "psychological", 4, 72, False, C, None, "学生 青少年"),
    ("crisis-intervention", "心理危机干预", "psychological", 1, 4, True, C, None, "轻生 危机"),
    ("social-assistance", "低保救助", "aid", 8, 240, False, D, "民政局", "低保 救助"),
    ("temporary-aid", "临时救助", "aid", 2, 48, False, D, "民政局", "临时 困难"),
    ("elderly-care", "养老服务", "aid", 4, 120, False, D, "民政局", "老人 养老"),
    ("disability-support", "残疾人帮扶", "aid", 4, 120, False, D, "民政局", "残疾"),
    ("medical-aid", "医疗救助", "aid", 4, 120, False, D, "民政局", "医疗 困难"),
    ("public-order", "治安问题", "complaint", 1, 24, True, D, "公安分局", "治安 盗窃"),
    ("suggestion", "意见建议", "complaint", 24, 240, False, C, None, "建议"),
]

# The grid event catalogue's patrol-only kinds (统一分拨): found on the street by grid patrols and
# snapshot reports, not offered on the petition forms. Every category above is an event kind too.
# code, name, name in English, accept h, resolve h, same day, handler, department short name, keywords
PATROL_KINDS = [
    ("fire-exit-blocked", "消防通道堵塞", "Blocked fire exit", 1, 24, True, D, "应急管理局", "消防通道 堵塞 杂物"),
    ("illegal-structure", "违法搭建", "Illegal structure", 4, 168, False, D, "城管局", "违建 搭建 铁皮房"),
    ("street-light-broken", "路灯损坏", "Broken street light", 2, 48, False, D, "城管局", "路灯 损坏"),
    ("rubbish-piled", "垃圾堆放", "Piled rubbish", 2, 24, True, C, None, "垃圾 堆放"),
    ("manhole-cover", "井盖缺失破损", "Missing or broken manhole cover", 1, 24, True, D, "水务局", "井盖"),
    ("pavement-obstruction", "占道堆物", "Goods piled on the pavement", 2, 24, True, C, None, "占道 堆物"),
    ("fly-posting", "乱张贴小广告", "Fly-posting", 4, 72, False, C, None, "小广告 张贴"),
    ("construction-waste", "建筑垃圾乱倒", "Dumped construction waste", 2, 48, False, D, "城管局", "建筑垃圾 渣土"),
    ("loose-wiring", "私拉乱接电线", "Loose or illegal wiring", 2, 24, True, C, None, "电线 飞线"),
    ("unsafe-building", "房屋安全隐患", "Unsafe building", 1, 48, False, D, "住建局", "危房 开裂"),
]


def load_patrol_kinds(Category, Department) -> int:
    """The patrol-only kinds, each with its default handler (the data migration and the demo call
    it; a department not loaded yet leaves the kind with the community until it is)."""
    departments = {d.short_name: d for d in Department.objects.filter(short_name__in={k[7] for k in PATROL_KINDS})}
    for order, (code, name, name_en, accept, resolve, same_day, handler, dept, keywords) in enumerate(PATROL_KINDS):
        department = departments.get(dept) if dept else None
        Category.objects.update_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "service": "complaint", "accept_hours": accept,
            "resolve_hours": resolve, "same_day": same_day, "default_handler": D if department else C,
            "department": department, "keywords": keywords, "sort_order": 1000 + order, "is_active": True,
            "use": "event",
        })
    return len(PATROL_KINDS)


def load(progress) -> None:
    departments = {d.short_name: d for d in Department.objects.all()}
    for order, (code, name, service, accept, resolve, same_day, handler, dept, keywords) in enumerate(CATEGORIES):
        department = departments.get(dept) if dept else None
        Category.objects.update_or_create(code=code, defaults={
            "name": name, "name_en": CATEGORY_NAMES_EN.get(code, ""), "service": service, "accept_hours": accept, "resolve_hours": resolve,
            "same_day": same_day, "default_handler": handler if department or handler == C else C,
            "department": department, "keywords": keywords, "sort_order": order, "is_active": True,
        })
    progress(f"  categories: {len(CATEGORIES)}, patrol-only event kinds: {load_patrol_kinds(Category, Department)}")
    load_calendar(progress)
    load_history(progress)
    load_risky(progress)
    load_daily_work(progress)
    load_grid_events(progress)
    from petitions.supervision import stats

    stats.rebuild_all()
    progress("  dashboard statistics rolled up")


def load_calendar(progress) -> None:
    """The holiday calendar of this year and the next, from the chinesecalendar package."""
    year = timezone.localdate().year
    for result in (holidays_import(year=year), holidays_import(year=year + 1)):
        if result.known:
            progress(f"  {result.year} calendar: {result.days_off} holidays, {result.workdays} make-up working days")
        else:
            progress(f"  {result.year} calendar: not in the chinesecalendar package yet; enter it in the admin "
                     f"or run `manage.py import_holidays {result.year}` after upgrading the package")


HISTORY = 12_000  # five weeks of synthetic traffic, so the dashboard and league tables have a shape


def load_history(progress) -> None:
    from . import generator
    from .models import Petition

    from communities.models import Region

    if Petition.objects.filter(tracking_code__startswith="GX-").exists():
        return
    if not Region.objects.filter(level=Region.Level.COMMUNITY).exists():
        return  # the catalogue alone (no district loaded): nothing to file petitions in
    generator.generate(HISTORY, days=35, progress=None)
    progress(f"  petitions: {HISTORY:,} of history over 35 days")


# (community, category, title, description, people affected): petitions the risk rules flag
RISKY = [
    ("公明社区", "wage-arrears", "工厂拖欠3个月工资，工人扬言跳楼", "某电子厂拖欠40名工人3个月工资共计86万元，有工人扬言要跳楼讨薪。", 40),
    ("上村社区", "building-site-wages", "工地包工头失联，工人准备去省里上访", "上村工地包工头失联，15名工人工资约12万元未付，准备拉横幅去省里上访。", 15),
    ("马山头社区", "neighbour-dispute", "邻里纠纷多次反映未解决", "楼上装修噪音持续两个月，多次反映无果，双方多次发生争执。", 2),
]


def grid_point(community) -> tuple[float | None, float | None]:
    """A point inside the community's first grid (its centre), so demo petitions have a grid."""
    from communities.models import Region

    grid = Region.objects.filter(parent=community, level=Region.Level.GRID).order_by("code").first()
    return (grid.latitude, grid.longitude) if grid else (None, None)


def load_risky(progress) -> None:
    from communities.models import Region

    from .models import Petition
    from .services import PetitionInput, petition_submit

    if Petition.objects.filter(title=RISKY[0][2]).exists():
        return
    for community, category, title, description, people in RISKY:
        region = Region.objects.filter(name=community, level=Region.Level.COMMUNITY).first()
        category_obj = Category.objects.filter(code=category).first()
        if region is None or category_obj is None:
            continue
        lat, lng = grid_point(region)
        petition_submit(data=PetitionInput(category=category_obj, title=title, description=description,
                                           phone="13800138000", community=region, people_affected=people,
                                           latitude=lat, longitude=lng))
    progress(f"  risky petitions: {len(RISKY)} (red alerts for the street and district supervisors)")


# (demo login that takes it in, channel, category, title, description, resident, phone, then: "accept" or "")
DAILY_WORK = [
    ("demo-staff", "hall", "noise-neighbour", "楼上深夜噪音扰民", "碧眼新村6栋楼上住户每晚十二点后拖动家具，影响休息。",
     "陈平", "13612340001", ""),
    ("demo-staff", "hall", "property-fees", "物业费上涨争议", "光明小区物业未经业主大会同意上调物业费30%。",
     "林秀英", "13612340002", "accept"),
    ("demo-staff", "hotline", "street-light", "路灯连续三晚不亮", "华夏路与光明大道路口路灯不亮，夜间行人不安全。",
     "周明", "13612340003", "accept"),
    ("demo-grid", "grid_patrol", "ebike-charging", "楼道飞线充电电动车", "巡查发现光明第1网格3栋楼道有电动车飞线充电。",
     "", "13612340004", ""),
    ("demo-grid", "grid_patrol", "garbage", "垃圾桶满溢未清运", "光明第1网格市场门口垃圾桶满溢两天未清运。",
     "", "13612340005", "accept"),
    ("demo-resident", "web", "housing-quality", "新房外墙开裂渗水", "光明小区8栋交房一年外墙开裂，雨天室内渗水。",
     "张伟", "13612340006", ""),
    ("demo-resident", "web", "wage-arrears", "超市拖欠两个月工资", "光明购物中心某超市拖欠员工两个月工资。",
     "张伟", "13612340006", ""),
    ("demo-staff", "hall", "neighbour-dispute", "邻居占用公共楼道", "邻居在公共楼道堆放杂物，协商未果，请求调解。",
     "黄丽", "13612340007", ""),
]


def load_daily_work(progress) -> None:
    """Fresh, open petitions taken in the way each demo login takes them (at the 光明社区 hall, on
    the hotline, on a grid patrol, by a resident's own account), so every demo login opens an
    inbox with today's work and not only history. Filed through the services: real traces."""
    from communities.models import Region, ServicePoint, User

    from .models import Petition
    from .services import PetitionInput, petition_accept, petition_submit

    if Petition.objects.filter(title=DAILY_WORK[0][3]).exists():
        return
    community = Region.objects.filter(name="光明社区", level=Region.Level.COMMUNITY).first()
    if community is None:
        return
    hall = ServicePoint.objects.filter(region=community, tier=ServicePoint.Tier.COMMUNITY_HALL).first()
    secretary = User.objects.filter(username="demo-secretary").first()
    # Placed in the grid demo-grid patrols, so the grid worker's inbox has them too.
    grid = Region.objects.filter(name="光明第1网格", level=Region.Level.GRID).first()
    filed = 0
    for username, channel, code, title, description, name, phone, then in DAILY_WORK:
        actor = User.objects.filter(username=username).first()
        category = Category.objects.filter(code=code).first()
        if actor is None or category is None:
            continue
        petition = petition_submit(
            data=PetitionInput(category=category, title=title, description=description, phone=phone, name=name,
                               community=community, latitude=grid.latitude if grid else None,
                               longitude=grid.longitude if grid else None),
            actor=actor, channel=channel, service_point=hall if username == "demo-staff" else None)
        if then == "accept" and secretary is not None:
            petition_accept(petition=petition, actor=secretary, note="已受理")
        filed += 1
    progress(f"  today's work: {filed} open petitions at the 光明社区 hall, hotline, grid and web")


# (kind, building, what was found): grid events of today, reported by demo-grid on patrol and by a
# resident's snapshot, each with a photo, so the unified dispatch loop has work to show.
GRID_EVENTS = [
    ("grid_patrol", "fire-exit-blocked", "碧眼新村6栋", "一楼消防通道堆满纸箱和旧家具。"),
    ("grid_patrol", "rubbish-piled", "光明农贸市场东门", "市场东门垃圾堆放，气味很大。"),
    ("snapshot", "manhole-cover", "华夏路公交站旁", "井盖破损，行人容易踩空。"),
]


def load_grid_events(progress) -> None:
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from communities.models import Region, User

    from .models import Petition
    from .services import PetitionInput, grid_event_report

    grid = Region.objects.filter(name="光明第1网格", level=Region.Level.GRID).select_related("parent").first()
    worker = User.objects.filter(username="demo-grid").first()
    if grid is None or worker is None or Petition.objects.filter(description=GRID_EVENTS[0][3]).exists():
        return
    filed = 0
    for channel, code, building, description in GRID_EVENTS:
        category = Category.objects.filter(code=code).first()
        if category is None:
            continue
        buffer = BytesIO()
        Image.new("RGB", (64, 48), (180, 60, 40)).save(buffer, "PNG")
        photo = SimpleUploadedFile(f"{code}.png", buffer.getvalue(), content_type="image/png")
        grid_event_report(data=PetitionInput(category=category, title="", description=description, phone="",
                                             community=grid.parent, building=building, latitude=grid.latitude,
                                             longitude=grid.longitude),
                          photos=[photo], channel=channel, actor=worker if channel == "grid_patrol" else None)
        filed += 1
    progress(f"  grid events: {filed} (patrol reports by demo-grid and a snapshot report)")


# The catalogue's names in English, for pages shown in English.
CATEGORY_NAMES_EN = {
    "wage-arrears": "Unpaid wages", "labour-contract": "Labour contract dispute",
    "social-insurance": "Social insurance contributions", "work-injury": "Work injury recognition",
    "noise-construction": "Construction noise", "noise-neighbour": "Noise from neighbours",
    "noise-business": "Noise from a shop", "cooking-fumes": "Restaurant cooking fumes",
    "property-management": "Property management", "property-fees": "Property fee dispute",
    "illegal-construction": "Illegal construction", "building-site-safety": "Building site hazard",
    "housing-quality": "Housing quality defect", "leaking-pipe": "Leaking water pipe", "water-outage": "Water outage",
    "waterlogging": "Flooded road", "sewer-blockage": "Blocked sewer", "street-light": "Street light out",
    "road-damage": "Damaged road", "illegal-parking": "Illegal parking", "parking-spaces": "Too few parking spaces",
    "bus-service": "Bus routes and stops", "ride-hailing": "Taxis and ride-hailing", "garbage": "Rubbish collection",
    "street-vendors": "Street vending", "public-toilet": "Public toilets", "greenery": "Trees and green spaces",
    "stray-animals": "Stray animals", "fire-hazard": "Fire hazard", "ebike-charging": "Unsafe e-bike charging",
    "food-safety": "Food safety", "consumer-rights": "Consumer rights", "price-gouging": "Price fraud",
    "school-places": "School places", "school-fees": "School fees", "school-safety": "Safety around schools",
    "medical-dispute": "Medical dispute", "clinic-service": "Community health clinic",
    "epidemic-prevention": "Public health", "neighbour-dispute": "Dispute between neighbours",
    "family-dispute": "Family dispute", "inheritance-dispute": "Inheritance dispute",
    "rental-dispute": "Rental dispute", "landlord-deposit": "Deposit not returned", "debt-dispute": "Private loan dispute",
    "traffic-accident": "Traffic accident compensation", "building-site-wages": "Migrant workers' wages on a site",
    "land-boundary": "Land ownership dispute", "demolition-compensation": "Demolition compensation",
    "legal-consultation": "Legal advice", "legal-aid": "Legal aid application", "contract-review": "Contract review",
    "notarisation": "Notarisation", "psych-distress": "Psychological distress",
    "family-counselling": "Family counselling", "youth-counselling": "Counselling for young people",
    "crisis-intervention": "Crisis intervention", "social-assistance": "Minimum living allowance",
    "temporary-aid": "Temporary assistance", "elderly-care": "Care for the elderly",
    "disability-support": "Support for people with disabilities", "medical-aid": "Medical assistance",
    "public-order": "Public order", "suggestion": "Suggestions",
}
