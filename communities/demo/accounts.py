"""Facts about the demo data that more than one command needs."""

DEMO_PASSWORD = "suqiu-demo-2026"

# username: (what the account is for) — printed by `make run` and documented in the README.
DEMO_ACCOUNTS: dict[str, str] = {
    "demo-resident": "居民 resident",
    "demo-staff": "光明社区 hall staff",
    "demo-grid": "光明社区 grid worker",
    "demo-secretary": "光明社区 community secretary",
    "demo-secretary2": "上村社区 community secretary",
    "demo-officer": "住建局 department officer",
    "demo-officer2": "人社局 department officer",
    "demo-mediator": "光明社区 mediator",
    "demo-supervisor": "公明街道 street supervisor",
    "demo-district": "光明区 district supervisor",
    "demo-admin": "administrator (/admin/)",
}
