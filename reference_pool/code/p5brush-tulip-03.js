// Tulips that didn't come together: stems drawn off to one side, blooms drifting loose near the bottom edge and cut off.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f2ea');
  brush.noFill();
  brush.set('HB', '#4e7a4a', 1);
  brush.line(-200, -250, -180, 80);
  brush.line(-150, -250, -170, 60);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.3);
  brush.fill('#e0394a', 190);
  brush.rect(60, 200, 70, 90);
  brush.fill('#f2b632', 190);
  brush.rect(170, 220, 80, 80);
  brush.fill('#e88aa8', 190);
  brush.polygon([[-40, 230], [20, 230], [0, 300]]);
  brush.fill('#5d8f6e', 160);
  brush.rect(-250, 150, 120, 20);
}
