"""kill -9 of `callq serve` while leads arrive: nothing answered is lost, no event either.

The suite's version sends 100 requests (killed after 50 answers); bench/serve.py sends 2,000.
"""

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import select
from tests.serve.conftest import Server, drop_target, make_target, wait_for

from callq.store.models import Lead, outbox_table

REQUESTS = 100


def test_kill_9_while_leads_arrive_loses_nothing(backend, tmp_path):
    from callq.services.doctor import check
    from callq.store.db import open_database

    target = make_target(backend, tmp_path)
    server = Server(target, tmp_path, receiver_url=None)
    server.start()
    answered: dict[int, int] = {}

    def post(number: int) -> None:
        try:
            response = server.post(json={"name": f"Kill {number}", "phone": f"98452{number:05d}"})
        except httpx.TransportError:
            return  # the server died under this request: no answer, no promise
        if response.status_code in (200, 201):
            answered[number] = response.json()["id"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        for number in range(REQUESTS):
            pool.submit(post, number)
        wait_for(lambda: len(answered) >= REQUESTS // 2, timeout=60, every=0.01)
        server.kill()
    assert REQUESTS // 2 <= len(answered) < REQUESTS  # killed mid-stream

    db = open_database(target)
    try:
        with db.read() as session:
            leads = dict(session.execute(select(Lead.id, Lead.name)).all())
            created = set(
                session.execute(
                    select(outbox_table.c.lead_id).where(
                        outbox_table.c.hook == "log", outbox_table.c.type == "lead_created"
                    )
                ).scalars()
            )
        # Every lead that got a 201 is there, under the id it was given.
        assert all(leads.get(lead_id) == f"Kill {n}" for n, lead_id in answered.items())
        assert check(db).ok
        assert created == set(leads)  # every committed lead has its event

        server.start()  # the restarted server delivers what the killed one had not
        wait_for(lambda: {e["lead_id"] for e in server.hook_events()} >= set(leads), timeout=60)
        wait_for(lambda: not _pending(db), timeout=30)  # every event delivered, and marked
    finally:
        server.stop()
        server.client.close()
        db.dispose()
        drop_target(backend, target)


def _pending(db) -> list:  # noqa: ANN001
    with db.read() as session:
        return session.execute(
            select(outbox_table.c.id).where(outbox_table.c.delivered_at.is_(None))
        ).all()
