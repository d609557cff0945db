"""factory_boy factories shared by every test package."""

from datetime import datetime
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from communities.models import Department, Region, ServiceKind, ServicePoint, User

PASSWORD = "pw-for-tests-2026"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="zh_CN")
    last_name = factory.Faker("last_name", locale="zh_CN")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    password = factory.django.Password(PASSWORD)


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"区域{n}")
    level = Region.Level.DISTRICT
    parent = None
    code = factory.Sequence(lambda n: f"R{n:06d}")
    latitude = 22.75
    longitude = 113.93


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"部门{n}")
    short_name = factory.LazyAttribute(lambda o: o.name[:6])
    code = factory.Sequence(lambda n: f"dept{n}")


class ServicePointFactory(DjangoModelFactory):
    class Meta:
        model = ServicePoint
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"服务站{n}")
    tier = ServicePoint.Tier.STATION
    venue = ServicePoint.Venue.MALL
    region = factory.SubFactory(RegionFactory)
    address = factory.Sequence(lambda n: f"光明大道{n}号")
    latitude = 22.75
    longitude = 113.93
    opening_hours = "周一至周日 9:00-18:00"
    phone = "0755-23400000"

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if not create:
            return
        codes = extracted if extracted is not None else ["complaint", "mediation"]
        ServiceKind.ensure_all()
        self.services.set(ServiceKind.objects.filter(code__in=codes))


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = "petitions.Category"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cat{n}")
    name = factory.Sequence(lambda n: f"类别{n}")
    service = "complaint"
    accept_hours = 2
    resolve_hours = 24
    same_day = True
    default_handler = "community"

# When the red-notice tests issue their notice: acknowledge by 11:00, check in by 12:00, report by 18:00.
RED_NOTICE_START = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def png_bytes(size=(8, 8)) -> bytes:
    """A real, small PNG (attachments are recognised by their content)."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def png_upload(name="现场.png", size=(600, 400)):
    """A photo as a form uploads it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes(size), content_type="image/png")


def filing_form(**overrides) -> dict:
    """The resident's filing form (/petitions/new/), filled in for community 440311001001."""
    data = {"service": "complaint", "category": "noise", "title": "楼上噪音", "description": "每晚都吵",
            "community": "440311001001", "phone": "13812345678", "people_affected": "1", "name": ""}
    data.update(overrides)
    return data
