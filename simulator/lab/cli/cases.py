"""callsim commands: the case library: mark calls as cases, note their moments, assign them, and build
anonymised review playlists for team meetings."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simulator.config import load_settings
from simulator.lab.cli.common import (
    db_flag,
    fail,
    open_for,
    print_json,
    print_listing,
    score_text,
    shared_output,
    store_errors,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    case = subparsers.add_parser("case", help="the case library: exemplary and cautionary calls, review playlists")
    sub = case.add_subparsers(dest="action", required=True)

    mark = sub.add_parser("mark", help="mark a call (practice or real) as a case; again to change it")
    mark.add_argument("call_id", help="call id (a unique prefix is enough; see `callsim history`)")
    mark.add_argument("--kind", required=True, choices=["exemplary", "cautionary"])
    mark.add_argument("--tag", action="append", default=[], help="a tag (repeat for more)")
    mark.add_argument("--summary", default="", help="the trainer's summary: what to learn from the call")
    mark.add_argument("--by", help="the trainer's name")
    _json_db(mark, cmd_case_mark)

    unmark = sub.add_parser("unmark", help="take a call out of the case library (the call stays)")
    unmark.add_argument("call_id")
    _json_db(unmark, cmd_case_unmark)

    note = sub.add_parser("note", help="a trainer's note on one trainee turn of a case, or on the whole call")
    note.add_argument("call_id")
    note.add_argument("text")
    note.add_argument("--turn", type=int, help="the trainee's turn number, as on the scorecard (default: whole call)")
    note.add_argument("--by", help="the trainer's name")
    _json_db(note, cmd_case_note)

    listing = sub.add_parser("list", help="cases, in the order they were marked")
    listing.add_argument("--kind", choices=["exemplary", "cautionary"])
    listing.add_argument("--tag")
    listing.add_argument("--trainee", help="cases made from this trainee's calls")
    _json_db(listing, cmd_case_list)

    show = sub.add_parser("show", help="one case with its notes and the moments to discuss")
    show.add_argument("call_id")
    show.add_argument("--no-anonymise", action="store_true", help="show real names and numbers (trainers only)")
    _json_db(show, cmd_case_show)

    assign = sub.add_parser("assign", help="give a case to trainees to study (shown in their app)")
    assign.add_argument("call_id")
    assign.add_argument("trainees", nargs="*", metavar="TRAINEE")
    assign.add_argument("--team", help="everyone in this team")
    assign.add_argument("--by", help="the trainer's name")
    _json_db(assign, cmd_case_assign)

    playlist = sub.add_parser("playlist", help="save a review playlist: cases in meeting order (replaces NAME)")
    playlist.add_argument("name")
    playlist.add_argument("call_ids", nargs="+", metavar="CASE", help="the cases' call ids, in meeting order")
    playlist.add_argument("--title")
    playlist.add_argument("--team")
    playlist.add_argument("--by", help="the trainer's name")
    _json_db(playlist, cmd_case_playlist)

    playlists = sub.add_parser("playlists", help="list saved review playlists")
    _json_db(playlists, cmd_case_playlists)

    export = sub.add_parser("export", help="a playlist for the meeting, anonymised: Markdown, HTML and/or JSON")
    export.add_argument("name", help="the playlist")
    export.add_argument("--md", type=Path, help="write Markdown here")
    export.add_argument("--html", type=Path, help="write a self-contained HTML page here")
    export.add_argument("--out-json", type=Path, help="write JSON here")
    export.add_argument("--hide-name", action="append", default=[], metavar="NAME",
                        help="another name to take out (e.g. one said in a call); repeat for more")
    export.add_argument("--no-anonymise", action="store_true", help="keep real names and numbers (trainers only)")
    _json_db(export, cmd_case_export)


def _json_db(parser: argparse.ArgumentParser, func: Any) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")
    db_flag(parser)
    parser.set_defaults(func=func)


def case_json(case: Any) -> dict[str, Any]:
    return {"call_id": case.call_id, "kind": case.kind.value, "tags": list(case.tags), "summary": case.summary,
            "marked_by": case.marked_by, "created_at": case.created_at, "updated_at": case.updated_at,
            "trainee": case.trainee, "team": case.team, "scenario": case.scenario_id,
            "call_kind": case.call_kind.value, "started_at": case.started_at, "overall": case.overall,
            "passed": case.passed,
            "notes": [{"turn": n.turn_index, "note": n.note, "author": n.author, "created_at": n.created_at}
                      for n in case.notes]}


def case_line(case: Any) -> str:
    tags = f"  [{', '.join(case.tags)}]" if case.tags else ""
    return (f"{case.call_id[:8]}  {case.kind.value:<10} {case.trainee or '-':<14} {case.scenario_id:<26} "
            f"{score_text(case.overall)}  {case.call_kind.value:<8} {len(case.notes)} note(s){tags}")


@store_errors
def cmd_case_mark(args: argparse.Namespace) -> int:
    from simulator.store.coaching import CaseKind

    with open_for(args) as store:
        case = store.mark_case(args.call_id, CaseKind(args.kind), tags=args.tag, summary=args.summary,
                               marked_by=args.by)
    if args.json:
        print_json(case_json(case))
    else:
        print(f"call {case.call_id[:8]} is a {case.kind.value} case" + (f" ({', '.join(case.tags)})" if case.tags
                                                                         else ""))
    return 0


@store_errors
def cmd_case_unmark(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        call_id = store.resolve_call_id(args.call_id)
        store.unmark_case(call_id)
    if args.json:
        print_json({"call_id": call_id, "case": False})
    else:
        print(f"call {call_id[:8]} is no longer a case (the call is kept)")
    return 0


@store_errors
def cmd_case_note(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        note = store.add_case_note(args.call_id, args.text, turn_index=args.turn, author=args.by)
    if args.json:
        print_json({"call_id": args.call_id, "turn": note.turn_index, "note": note.note, "author": note.author,
                    "created_at": note.created_at})
    else:
        print("noted " + (f"turn {note.turn_index}" if note.turn_index else "the whole call"))
    return 0


@store_errors
def cmd_case_list(args: argparse.Namespace) -> int:
    from simulator.store.coaching import CaseKind

    with open_for(args) as store:
        found = store.cases(kind=CaseKind(args.kind) if args.kind else None, tag=args.tag, trainee=args.trainee)
    return print_listing(found, args.json, case_json, case_line,
                         "no cases yet: callsim case mark CALL_ID --kind exemplary|cautionary")


@store_errors
def cmd_case_show(args: argparse.Namespace) -> int:
    from simulator.lab.cases import build_playlist, playlist_to_json, playlist_to_markdown
    from simulator.store.coaching import Playlist

    with open_for(args) as store:
        case = store.get_case(args.call_id)
        alone = Playlist(f"case-{case.call_id[:8]}", f"Case {case.call_id[:8]}", None, None, case.created_at,
                         (case.call_id,))
        built = build_playlist(store, alone, load_settings().scenarios_dir, anonymise=not args.no_anonymise)
    if args.json:
        print_json({**case_json(case), "review": playlist_to_json(built)["cases"][0]} if args.no_anonymise
                   else playlist_to_json(built)["cases"][0])
    else:
        print(playlist_to_markdown(built), end="")
    return 0


@store_errors
def cmd_case_assign(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        people = list(args.trainees)
        if args.team:
            if store.get_team(args.team) is None:
                return fail(f"no team named {args.team!r}")
            people += [p.name for p in store.list_trainees(args.team) if p.name not in people]
        if not people:
            return fail("name the trainees, or give --team")
        added = store.assign_case(args.call_id, people, args.by)
    if args.json:
        print_json({"call_id": args.call_id, "trainees": people, "newly_assigned": added})
    else:
        print(f"case {args.call_id} assigned to {', '.join(people)} ({added} new)")
    return 0


def playlist_json(playlist: Any) -> dict[str, Any]:
    return {"name": playlist.name, "title": playlist.title, "team": playlist.team, "created_by": playlist.created_by,
            "created_at": playlist.created_at, "cases": list(playlist.call_ids)}


@store_errors
def cmd_case_playlist(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        saved = store.save_playlist(args.name, args.call_ids, title=args.title, team=args.team, created_by=args.by)
    if args.json:
        print_json(playlist_json(saved))
    else:
        print(f"playlist {saved.name}: {len(saved.call_ids)} case(s); export with "
              f"callsim case export {saved.name} --md FILE --html FILE")
    return 0


@store_errors
def cmd_case_playlists(args: argparse.Namespace) -> int:
    with open_for(args) as store:
        found = store.playlists()
    if args.json:
        print_json([playlist_json(p) for p in found])
        return 0
    for playlist in found:
        print(f"{playlist.name:<24} {len(playlist.call_ids)} case(s)  {playlist.title}")
    return 0


@store_errors
def cmd_case_export(args: argparse.Namespace) -> int:
    import json

    from simulator.lab.cases import build_playlist, playlist_to_html, playlist_to_json, playlist_to_markdown

    clash = shared_output(("--md", args.md), ("--html", args.html), ("--out-json", args.out_json))
    if clash:
        return fail(clash, 2)
    with open_for(args) as store:
        built = build_playlist(store, store.get_playlist(args.name), load_settings().scenarios_dir,
                               anonymise=not args.no_anonymise, extra_names=args.hide_name)
    written = []
    outputs = ((args.md, playlist_to_markdown), (args.html, playlist_to_html),
               (args.out_json, lambda p: json.dumps(playlist_to_json(p), indent=2, ensure_ascii=False) + "\n"))
    try:
        for path, render in outputs:
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(render(built), encoding="utf-8")
                written.append(str(path))
    except OSError as err:
        return fail(f"cannot write the playlist: {err}")
    if args.json:
        print_json(playlist_to_json(built))
    elif not written:
        print(playlist_to_markdown(built), end="")
    else:
        print(f"playlist {built.name}: {len(built.cases)} case(s)"
              + (" (anonymised)" if built.anonymised else "") + f" -> {', '.join(written)}")
    return 0
