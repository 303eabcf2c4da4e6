# Facts about the Seeed Studio XIAO ESP32S3 the mocks report.
NAME = "xiao-esp32s3"
FREQ = 240000000
OPENMV = False
ANY_PIN_NAME = False
PINS = {}  # ESP32 pins are GPIO numbers; the user LED is Pin(21), lit when low
LEDS = ()
I2C_DEVICES = ()
ADC = {}
UNIQUE_ID = b"\x34\x85\x18\x00\x00\x01"
