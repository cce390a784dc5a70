from tests.conftest import login


def test_sign_in_and_see_team(client, org):
    login(client, org.line)
    page = client.get("/team")
    assert page.status_code == 200
    assert "Lea Learner" in page.get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client, org):
    response = client.get("/team")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
