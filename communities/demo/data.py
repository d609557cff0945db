"""The Guangming demo district: regions with outlines, the 1+6+31+N service network,
departments and one account per role. Deterministic (fixed seed) and idempotent."""

from __future__ import annotations

import random
from collections.abc import Callable

from django.db import transaction

from communities.core import geo
from communities.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from communities.models import Department, Region, Role, RoleAssignment, Service, ServiceKind, ServicePoint, User
from communities.people.roles import role_assign
from communities.core.names import display_name

Progress = Callable[[str], None]
SEED = 20260101
DISTRICT_CODE = "440311"

# A rough outline of the district (lng, lat), clockwise from the north-west.
DISTRICT_OUTLINE: list[geo.Point] = [
    (113.862, 22.812), (113.900, 22.838), (113.948, 22.842), (113.985, 22.826),
    (113.998, 22.790), (113.990, 22.752), (113.968, 22.718), (113.925, 22.705),
    (113.885, 22.712), (113.858, 22.742), (113.850, 22.778),
]

# street: (seed lng, lat, communities)
STREETS: dict[str, tuple[float, float, list[str]]] = {
    "光明街道": (113.930, 22.790, ["光明", "碧眼", "东周", "白花", "迳口", "翠湖"]),
    "公明街道": (113.885, 22.790, ["公明", "上村", "下村", "西田", "李松蓢", "马山头"]),
    "新湖街道": (113.945, 22.825, ["楼村", "新羌", "圳美"]),
    "凤凰街道": (113.965, 22.770, ["凤凰", "东坑", "甲子塘", "塘尾", "塘家"]),
    "玉塘街道": (113.935, 22.730, ["玉律", "田寮", "长圳", "红星"]),
    "马田街道": (113.885, 22.740, ["马田", "将围", "合水口", "新庄", "薯田埔", "石家", "根竹园"]),
}
GRIDS_PER_COMMUNITY = 4
STATIONS_TOTAL = 162

VENUE_PLACES = {
    ServicePoint.Venue.MALL: ["天汇城", "大仟里", "新城市广场", "华润万象汇", "壹方天地", "欢乐港湾"],
    ServicePoint.Venue.BUILDING_SITE: ["科学城项目部", "地铁6号线支线工地", "光明中心区工地", "安置房项目部"],
    ServicePoint.Venue.HOSPITAL: ["区人民医院", "中山大学附属第七医院", "区中医院", "社康中心"],
    ServicePoint.Venue.HOUSING_ESTATE: ["和润家园", "华润城润府", "招商雍景湾", "保利云禧", "万丈坡小区"],
    ServicePoint.Venue.PARK: ["华强创意公园", "光明科技园", "虹桥公园", "大顶岭绿道驿站", "工业园区"],
    ServicePoint.Venue.SCHOOL: ["光明中学", "实验学校", "公明第一小学", "职业技术学校"],
    ServicePoint.Venue.OTHER: ["地铁站", "长者服务中心", "党群服务驿站", "菜市场"],
}
STATION_SERVICE_SETS = [
    ["complaint", "mediation"],
    ["complaint", "legal"],
    ["complaint", "mediation", "legal"],
    ["complaint", "psychological", "aid"],
    ["complaint", "mediation", "legal", "psychological", "aid"],
    ["complaint", "aid"],
]

# (full name, short name, code, duties)
DEPARTMENTS = [
    ("光明区住房和建设局", "住建局", "zjj", "建筑工地、物业管理、房屋安全、保障性住房"),
    ("光明区人力资源局", "人社局", "rsj", "劳动关系、欠薪处置、社会保险、就业服务"),
    ("光明区城市管理和综合执法局", "城管局", "cgj", "市容环境、违法建筑、占道经营、路灯照明"),
    ("深圳市公安局光明分局", "公安分局", "gaj", "治安管理、交通秩序、矛盾纠纷排查"),
    ("光明区卫生健康局", "卫健局", "wjj", "医疗纠纷、公共卫生、社康服务"),
    ("光明区教育局", "教育局", "jyj", "学位申请、校园安全、教育收费"),
    ("光明区民政局", "民政局", "mzj", "社会救助、养老服务、婚姻登记、社会组织"),
    ("光明区司法局", "司法局", "sfj", "人民调解、法律援助、公共法律服务"),
    ("深圳市市场监督管理局光明监管局", "市场监管局", "scjgj", "消费维权、食品安全、价格监督"),
    ("深圳市生态环境局光明管理局", "生态环境局", "sthjj", "噪声、油烟、污水与废气污染"),
    ("深圳市交通运输局光明管理局", "交通局", "jtj", "公交线路、道路设施、出租网约车"),
    ("光明区水务局", "水务局", "swj", "供排水、河道管理、内涝防治"),
    ("深圳市规划和自然资源局光明管理局", "规自局", "gzj", "规划许可、土地权属、查处违法用地"),
    ("光明区应急管理局", "应急管理局", "yjj", "安全生产、消防隐患、防灾减灾"),
]

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉玲红云峰波宁鹏飞"


def _far_points(rng: random.Random, ring: list[geo.Point], n: int) -> list[geo.Point]:
    """n well-spread random points inside ``ring`` (farthest-point sampling)."""
    min_x, min_y, max_x, max_y = geo.ring_bbox(ring)
    candidates: list[geo.Point] = []
    while len(candidates) < max(40, n * 25):
        p = (rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if geo.point_in_ring(p[0], p[1], ring):
            candidates.append(p)
    _, centroid = geo.ring_area_centroid(ring)
    chosen = [min(candidates, key=lambda c: (c[0] - centroid[0]) ** 2 + (c[1] - centroid[1]) ** 2)]
    while len(chosen) < n:
        chosen.append(
            max(candidates, key=lambda c: min((c[0] - q[0]) ** 2 + (c[1] - q[1]) ** 2 for q in chosen))
        )
    return chosen


def _random_inside(rng: random.Random, ring: list[geo.Point]) -> geo.Point:
    min_x, min_y, max_x, max_y = geo.ring_bbox(ring)
    while True:
        p = (rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if geo.point_in_ring(p[0], p[1], ring):
            return p


def _person_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(SURNAMES), "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _region(*, code: str, name: str, level: str, parent: Region | None, ring: list[geo.Point]) -> Region:
    _, (lng, lat) = geo.ring_area_centroid(ring)
    region, _ = Region.objects.update_or_create(
        code=code,
        defaults={
            "name": name, "level": level, "parent": parent,
            "latitude": round(lat, 6), "longitude": round(lng, 6),
            "boundary": geo.ring_to_geojson(ring),
        },
    )
    return region


def load_regions(rng: random.Random, progress: Progress) -> dict[str, Region]:
    district = _region(code=DISTRICT_CODE, name="光明区", level=Region.Level.DISTRICT, parent=None,
                       ring=DISTRICT_OUTLINE)
    regions = {"光明区": district}
    street_seeds = [(lng, lat) for lng, lat, _ in STREETS.values()]
    street_cells = geo.voronoi_cells(DISTRICT_OUTLINE, street_seeds)
    for s_index, ((street_name, (_, _, communities)), cell) in enumerate(
        zip(STREETS.items(), street_cells, strict=True), start=1
    ):
        street = _region(code=f"{DISTRICT_CODE}{s_index:03d}", name=street_name,
                         level=Region.Level.STREET, parent=district, ring=cell)
        regions[street_name] = street
        seeds = _far_points(rng, cell, len(communities))
        for c_index, (short, c_cell) in enumerate(
            zip(communities, geo.voronoi_cells(cell, seeds), strict=True), start=1
        ):
            community = _region(code=f"{street.code}{c_index:03d}", name=f"{short}社区",
                                level=Region.Level.COMMUNITY, parent=street, ring=c_cell)
            regions[community.name] = community
            grid_seeds = _far_points(rng, c_cell, GRIDS_PER_COMMUNITY)
            for g_index, g_cell in enumerate(geo.voronoi_cells(c_cell, grid_seeds), start=1):
                grid = _region(code=f"{community.code}{g_index:03d}", name=f"{short}第{g_index}网格",
                               level=Region.Level.GRID, parent=community, ring=g_cell)
                regions[grid.name] = grid
        progress(f"  {street_name}: {len(communities)} communities, "
                 f"{len(communities) * GRIDS_PER_COMMUNITY} grids")
    return regions


def _point(*, name: str, region: Region, tier: str, venue: str, lng: float, lat: float,
           address: str, hours: str, phone: str, services: list[str]) -> ServicePoint:
    point, _ = ServicePoint.objects.update_or_create(
        region=region, name=name,
        defaults={"tier": tier, "venue": venue, "latitude": round(lat, 6), "longitude": round(lng, 6),
                  "address": address, "opening_hours": hours, "phone": phone, "is_active": True},
    )
    point.services.set(ServiceKind.objects.filter(code__in=services))
    return point


def load_service_points(rng: random.Random, regions: dict[str, Region], progress: Progress) -> None:
    ServiceKind.ensure_all()
    all_services = list(Service.values)
    district = regions["光明区"]
    _point(name="光明区群众诉求服务中心", region=district, tier=ServicePoint.Tier.DISTRICT_HALL,
           venue=ServicePoint.Venue.CIVIC_CENTRE, lng=113.9355, lat=22.7480,
           address="光明区光明街道华夏路区政府大院东侧", hours="周一至周日 8:30-18:00",
           phone="0755-23400000", services=all_services)
    streets = Region.objects.filter(level=Region.Level.STREET, path__startswith=district.path)
    for street in streets:
        _point(name=f"{street.name}群众诉求服务大厅", region=street, tier=ServicePoint.Tier.STREET_HALL,
               venue=ServicePoint.Venue.CIVIC_CENTRE, lng=street.longitude, lat=street.latitude,
               address=f"光明区{street.name}党群服务中心一楼", hours="周一至周日 8:30-18:00",
               phone=f"0755-2340{rng.randrange(1000, 9999)}", services=all_services)
    communities = list(Region.objects.filter(level=Region.Level.COMMUNITY, path__startswith=district.path))
    for community in communities:
        _point(name=f"{community.name}群众诉求服务大厅", region=community,
               tier=ServicePoint.Tier.COMMUNITY_HALL, venue=ServicePoint.Venue.CIVIC_CENTRE,
               lng=community.longitude, lat=community.latitude,
               address=f"光明区{community.parent.name}{community.name}党群服务中心",
               hours="周一至周六 9:00-12:00, 14:00-18:00", phone=f"0755-2341{rng.randrange(1000, 9999)}",
               services=all_services)
    progress(f"  halls: 1 district, {len(streets)} street, {len(communities)} community")
    venues = list(VENUE_PLACES)
    for index in range(STATIONS_TOTAL):
        community = communities[index % len(communities)]
        venue = venues[index % len(venues)]
        place = rng.choice(VENUE_PLACES[venue])
        lng, lat = _random_inside(rng, geo.geojson_ring(community.boundary))
        _point(name=f"{community.name}群众诉求服务站（{place}·{index + 1:03d}）", region=community,
               tier=ServicePoint.Tier.STATION, venue=venue, lng=lng, lat=lat,
               address=f"光明区{community.parent.name}{community.name}{place}",
               hours=rng.choice(["周一至周五 9:00-18:00", "周一至周日 10:00-20:00", "周二、周四 14:00-17:00"]),
               phone=f"0755-2342{rng.randrange(1000, 9999)}", services=rng.choice(STATION_SERVICE_SETS))
        if (index + 1) % 27 == 0 or index + 1 == STATIONS_TOTAL:
            progress(f"  stations: {index + 1}/{STATIONS_TOTAL}")


def load_departments(progress: Progress) -> dict[str, Department]:
    departments = {}
    for index, (name, short, code, duties) in enumerate(DEPARTMENTS, start=1):
        dept, _ = Department.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short, "duties": duties,
                                 "phone": f"0755-2360{index:04d}"},
        )
        departments[short] = dept
    progress(f"  departments: {len(departments)}")
    return departments


def _user(username: str, *, rng: random.Random, login: bool, **extra) -> User:
    surname, given = _person_name(rng)
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"last_name": surname, "first_name": given, "phone": _phone(rng), **extra},
    )
    if login and (created or not user.check_password(DEMO_PASSWORD)):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    elif not login and created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def load_accounts(rng: random.Random, regions: dict[str, Region], departments: dict[str, Department],
                  progress: Progress) -> None:
    guangming = regions["光明社区"]
    hall = ServicePoint.objects.get(region=guangming, tier=ServicePoint.Tier.COMMUNITY_HALL)
    bindings = {
        "demo-staff": (Role.HALL_STAFF, hall),
        "demo-grid": (Role.GRID_WORKER, regions["光明第1网格"]),
        "demo-secretary": (Role.SECRETARY, guangming),
        "demo-secretary2": (Role.SECRETARY, regions["上村社区"]),
        "demo-officer": (Role.DEPARTMENT_OFFICER, departments["住建局"]),
        "demo-officer2": (Role.DEPARTMENT_OFFICER, departments["人社局"]),
        "demo-mediator": (Role.MEDIATOR, guangming),
        "demo-supervisor": (Role.STREET_SUPERVISOR, regions["公明街道"]),
        "demo-district": (Role.DISTRICT_SUPERVISOR, regions["光明区"]),
    }
    for username in DEMO_ACCOUNTS:
        extra = {"is_staff": True, "is_superuser": True} if username == "demo-admin" else {}
        user = _user(username, rng=rng, login=True, email=f"{username}@demo.suqiu.local", **extra)
        if username in bindings:
            role, bound_to = bindings[username]
            role_assign(user=user, role=role, bound_to=bound_to)
    # The rest of the roster, without logins: a head for every department, and a secretary,
    # mediator, legal adviser and counsellor for every community.
    for short, dept in departments.items():
        head = _user(f"head-{dept.code}", rng=rng, login=False)
        role_assign(user=head, role=Role.DEPARTMENT_HEAD, bound_to=dept, post=f"{short}局长")
    community_roles = [Role.SECRETARY, Role.MEDIATOR, Role.LEGAL_ADVISER, Role.COUNSELLOR]
    for community in Region.objects.filter(level=Region.Level.COMMUNITY):
        for role in community_roles:
            if community.role_assignments.filter(role=role).exists():
                continue
            person = _user(f"{role}-{community.code}", rng=rng, login=False)
            role_assign(user=person, role=role, bound_to=community)
    progress(f"  accounts: {len(DEMO_ACCOUNTS)} demo logins, roster for "
             f"{len(departments)} departments and {len(regions)} regions")


# (community, department, matter, place, posts, days ago; None = still open)
DEMO_NOTICES = [
    ("光明社区", "住建局", "碧眼新村3栋违建阻塞消防通道，需现场核查处置", "碧眼新村3栋", "执法队员", 26),
    ("光明社区", "人社局", "光明大道工地拖欠12名工人工资约31万元，工人聚集讨薪", "光明大道1号工地", "劳动监察员", 19),
    ("光明社区", "住建局", "老旧小区外墙脱落，存在高空坠物隐患", "光明小区5栋", "质量安全监督员", 12),
    ("上村社区", "人社局", "餐饮店员工劳动合同纠纷，多人投诉未签合同", "上村市场2号", "劳动监察员", 8),
    ("上村社区", "住建局", "工地夜间施工噪音扰民", "上村路建设工地", "执法队员", 4),
    ("光明社区", "人社局", "商场物业保洁员被拖欠两个月工资", "光明购物中心", "劳动监察员", None),
]


def load_red_notices(regions: dict[str, Region], departments: dict[str, Department], progress: Progress) -> None:
    """A few notices through the whole cycle, all checked in on time as in the seed district,
    and one still open, so the red-notice pages have something to show on `make run`."""
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from communities.red_notices import services as rn
    from communities.models import RedNotice, RedNoticeEvent

    if RedNotice.objects.exists():
        return
    officers = {d.pk: User.objects.get(roles__department=d, roles__role=Role.DEPARTMENT_OFFICER)
                for d in (departments["住建局"], departments["人社局"])}
    for community_name, dept_short, matter, place, posts, days_ago in DEMO_NOTICES:
        community, department = regions[community_name], departments[dept_short]
        secretary = User.objects.get(roles__region=community, roles__role=Role.SECRETARY, username__startswith="demo-")
        now = timezone.now()
        notice = rn.red_notice_issue(
            actor=secretary, community=community, department=department, matter=matter, place=place,
            staff_count=2, posts=posts, checkin_due_at=now + timedelta(hours=2), result_due_at=now + timedelta(days=1))
        officer = officers[department.pk]
        rn.red_notice_acknowledge(notice=notice, actor=officer, note="已收到，马上安排")
        if days_ago is None:
            continue
        rn.red_notice_check_in(notice=notice, actor=officer, note="2人到场")
        rn.red_notice_report(notice=notice, actor=officer, report="已到场核查，问题当场处置完毕，后续跟进。",
                             attendees=f"{display_name(officer)}等2人")
        rn.red_notice_close(notice=notice, actor=secretary, rating=5, note="处置及时")
        # Move the finished cycle back in time, as if it had happened then.
        shift = timedelta(days=days_ago)
        fields = ["issued_at", "ack_due_at", "checkin_due_at", "result_due_at", "acknowledged_at",
                  "checked_in_at", "reported_at", "closed_at"]
        RedNotice.objects.filter(pk=notice.pk).update(**{f: F(f) - shift for f in fields})
        RedNoticeEvent.objects.filter(notice=notice).update(created_at=F("created_at") - shift)
    progress(f"  red notices: {len(DEMO_NOTICES)} (one still open)")


def load_duty_shifts(progress: Progress) -> None:
    """Each community's mediator, legal adviser and counsellor at its hall on working days; the
    光明社区 mediator (demo-mediator) at the hall every day until late, so "staffed now" is never empty."""
    from datetime import time

    from communities.models import DutyShift

    if DutyShift.objects.exists():
        return
    shifts = []
    halls = {p.region_id: p for p in ServicePoint.objects.filter(tier=ServicePoint.Tier.COMMUNITY_HALL)}
    roster = RoleAssignment.objects.filter(role__in=[Role.MEDIATOR, Role.LEGAL_ADVISER, Role.COUNSELLOR],
                                           region__isnull=False).select_related("user")
    for assignment in roster:
        hall = halls.get(assignment.region_id)
        if hall is None:
            continue
        demo = assignment.user.username == "demo-mediator"
        for weekday in range(7 if demo else 5):
            shifts.append(DutyShift(service_point=hall, user=assignment.user, role=assignment.role, weekday=weekday,
                                    starts=time(0, 0) if demo else time(8, 30),
                                    ends=time(23, 59) if demo else time(18, 0)))
    DutyShift.objects.bulk_create(shifts)
    progress(f"  duty roster: {len(shifts)} weekly shifts at {len(halls)} community halls")


def is_loaded() -> bool:
    return (
        Region.objects.filter(code=DISTRICT_CODE).exists()
        and User.objects.filter(username="demo-admin").exists()
    )


def load(progress: Progress) -> None:
    rng = random.Random(SEED)
    with transaction.atomic():
        progress("Regions (district, streets, communities, grids)…")
        regions = load_regions(rng, progress)
        progress("Service network (1+6+31+N)…")
        load_service_points(rng, regions, progress)
        progress("Departments…")
        departments = load_departments(progress)
        progress("Accounts and roles…")
        load_accounts(rng, regions, departments, progress)
        progress("Red notices…")
        load_red_notices(regions, departments, progress)
        progress("Duty roster and department scores…")
        load_duty_shifts(progress)
        from communities.scoring.services import scores_compute

        scores_compute(progress=progress)
