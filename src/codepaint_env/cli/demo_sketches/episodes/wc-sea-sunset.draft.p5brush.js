// A first draft of a sea at sunset: an orange sky, a blue sea and a round sun, in flat washes.
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#fbf7f0');
  brush.noStroke();
  brush.fillBleed(0);
  brush.fillTexture(0, 0);
  brush.fill('#f3722c', 255);
  brush.polygon([[-256, -256], [256, -256], [256, 30], [-256, 30]]);
  brush.fill('#277da1', 255);
  brush.polygon([[-256, 30], [256, 30], [256, 256], [-256, 256]]);
  brush.fill('#fbd38d', 255);
  brush.circle(-40, 0, 50);
}
