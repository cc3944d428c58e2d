from tests.gui.conftest import wait_tracked


def test_window_loads(make_window, media, qtbot):
    window = make_window(media["source"], media["driving"])
    wait_tracked(qtbot, window)
    assert window.session.track.length == 12
