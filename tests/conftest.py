from tests.fixtures.actors import *  # noqa: F403
from tests.fixtures.app import *  # noqa: F403
from tests.fixtures.aws import *  # noqa: F403
from tests.fixtures.checkpoints import *  # noqa: F403
from tests.fixtures.database import *  # noqa: F403
from tests.fixtures.domains import *  # noqa: F403
from tests.fixtures.redis import *  # noqa: F403
