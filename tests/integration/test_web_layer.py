"""The pages' common edge on real Redis: sign-in, sessions, CSRF, roles, personal links, language."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from stagepool_shared.auth import Principal
from stagepool_shared.http import harden
from stagepool_shared.redis import connect
from stagepool_shared.web.accounts import Accounts
from stagepool_shared.web.links import WebLinks
from stagepool_shared.web.pages import install_web, page, render

pytestmark = pytest.mark.integration

SCHOOL = Principal("usr-bpv-1", "school_staff", "sch-a", "reg-g")
STUDENT = Principal("stu_1", "student", "stu_1", "reg-g")


@pytest.fixture
def app(redis_url, tmp_path):
    client = connect(redis_url)
    accounts = Accounts(client)
    accounts.create_user("bpv1", "correct horse battery", SCHOOL)
    (tmp_path / "hello.html").write_text(
        '{% extends "stagepool/base.html" %}{% block main %}<h1>{{ t("Hallo", "Hello") }} {{ me.user_id }}</h1>'
        '<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token }}"></form>{% endblock %}')
    flask_app = Flask(__name__, template_folder=str(tmp_path))
    harden(flask_app)
    install_web(flask_app, lambda: accounts, WebLinks(intake="http://localhost"))

    @flask_app.route("/pages/school", methods=["GET", "POST"])
    @page("school_staff")
    def school_home():
        return render("hello.html")

    flask_app.accounts = accounts
    return flask_app


def login(client, username="bpv1", password="correct horse battery"):
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": "/pages/school"})


def test_a_page_sends_a_visitor_without_a_session_to_the_login(app):
    response = app.test_client().get("/pages/school")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_signing_in_with_the_right_password_opens_the_page_in_dutch_by_default(app):
    client = app.test_client()
    response = login(client)
    assert response.status_code == 302 and response.headers["Location"] == "/pages/school"
    cookie = response.headers.get_all("Set-Cookie")
    assert any("sp_session=" in c and "HttpOnly" in c and "SameSite=Lax" in c for c in cookie)
    body = client.get("/pages/school").get_data(as_text=True)
    assert "Hallo usr-bpv-1" in body and '<html lang="nl">' in body
    assert "Meldpunt stagediscriminatie" in body


def test_a_wrong_password_is_refused_and_keeps_the_username(app):
    response = login(app.test_client(), password="wrong")
    assert response.status_code == 401
    text = response.get_data(as_text=True)
    assert 'value="bpv1"' in text and "klopt niet" in text


def test_a_login_without_its_csrf_cookie_is_refused(app):
    response = app.test_client().post("/login", data={"username": "bpv1", "password": "correct horse battery",
                                                      "csrf_token": "forged"})
    assert response.status_code == 400


def test_a_page_post_without_the_session_csrf_token_is_refused(app):
    client = app.test_client()
    login(client)
    assert client.post("/pages/school", data={}).status_code == 400
    page_html = client.get("/pages/school").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)
    assert client.post("/pages/school", data={"csrf_token": token}).status_code == 200


def test_a_student_link_signs_the_student_in_and_other_roles_pages_answer_404_in_html(app):
    token = app.accounts.create_link(STUDENT)
    client = app.test_client()
    assert client.get(f"/s/{token}").status_code == 302
    response = client.get("/pages/school")
    assert response.status_code == 404 and "text/html" in response.content_type
    assert "Niet gevonden" in response.get_data(as_text=True)
    assert client.get("/s/not-a-link").status_code == 404


def test_the_english_switch_is_remembered(app):
    client = app.test_client()
    login(client)
    client.get("/lang/en?next=/pages/school")
    body = client.get("/pages/school").get_data(as_text=True)
    assert "Hello usr-bpv-1" in body and '<html lang="en">' in body


def test_signing_out_ends_the_session_on_the_server(app):
    client = app.test_client()
    login(client)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/pages/school").get_data(as_text=True)).group(1)
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/pages/school").status_code == 302


def test_signing_out_needs_the_session_csrf_token(app):
    client = app.test_client()
    login(client)
    assert client.post("/logout", data={}).status_code == 400
    assert client.get("/pages/school").status_code == 200
